"""The years the application accepts, in a period, a filter or a form: one range everywhere. Pure."""

# Wide enough for any programme's life and its baselines; narrow enough that a date of the year
# always exists and a year column never overflows.
FIRST_YEAR = 1900
LAST_YEAR = 2200
