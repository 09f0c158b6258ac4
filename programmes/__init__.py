"""Where a whole programme is assembled: its programme file read into every app, and its home page.

The one layer below the URL root that may import every app (indicators, chains, municipalities,
budget, reports); no app imports it.
"""
