"""The home page of every role: the overview of each programme the user belongs to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from indicators.periods import InvalidPeriod, Period
from indicators.permissions import visible_programmes
from programmes.overview import programme_overview

PERIOD_PARAM = "period"
MSG_BAD_PERIOD = gettext_noop(
    "“%(value)s” is not a period: choose one in the list, or write a year (2011) or a quarter (2011Q3)."
)
SHOWN_CHARS = 40  # of a bad parameter, echoed back in the message


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page of every role: for each programme of the user, the overview of ``programmes.overview``.

    ``?period=2010`` or ``?period=2011Q3`` chooses the period; a value that is not a period is answered
    400 with a message, and the page shows the default period.
    """
    chosen, status = None, 200
    raw = request.GET.get(PERIOD_PARAM, "").strip()
    if raw:
        try:
            chosen = Period.parse(raw)
        except InvalidPeriod:
            messages.error(request, _(MSG_BAD_PERIOD) % {"value": raw[:SHOWN_CHARS]})
            status = 400
    programmes = visible_programmes(request.user)
    overviews = [programme_overview(p, chosen) for p in programmes]
    return render(request, "home.html", {"overviews": overviews}, status=status)
