"""The application's own pages. Each app adds its routes here with one include line."""

from django.urls import include, path

from programmes import views as programme_views

urlpatterns = [
    path("", programme_views.home, name="home"),
    path("", include("indicators.urls")),
    path("reports/", include("reports.urls")),
    path("exports/", include("municipalities.urls")),
    path("exports/", include("budget.urls")),
]
