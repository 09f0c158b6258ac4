from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from indicators.models import Programme
from reports.overview import programme_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page of every role: for each programme of the user, the overview of ``reports.overview``."""
    programmes = Programme.objects.order_by("code")
    if not request.user.is_superuser:
        programmes = programmes.filter(memberships__user=request.user)
    overviews = [programme_overview(p) for p in programmes]
    return render(request, "home.html", {"overviews": overviews})
