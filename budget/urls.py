"""Budget workbooks, mounted under /exports/ by cse_monitor/site_urls.py."""

from django.urls import path

from budget import views

app_name = "budget"

urlpatterns = [
    path("<str:code>/budget-vs-actuals-<int:year>.xlsx", views.budget_vs_actuals_xlsx, name="budget_vs_actuals_xlsx"),
]
