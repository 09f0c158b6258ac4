"""The application's own pages. Each app adds its routes here with one include line."""

from django.urls import include, path

from cse_monitor import views

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("indicators.urls")),
    path("reports/", include("reports.urls")),
    path("exports/", include("municipalities.urls")),
    path("exports/", include("budget.urls")),
]
