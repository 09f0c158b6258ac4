"""Excel downloads (issue 7), mounted under /exports/ by cse_monitor/site_urls.py."""

from django.urls import path

from municipalities import views

app_name = "exports"

urlpatterns = [
    path("<str:code>/beneficiarios.xlsx", views.beneficiaries, name="beneficiaries"),
    path("<str:code>/beneficiarios-plantilla.xlsx", views.beneficiaries_template, name="beneficiaries_template"),
    path("<str:code>/indicadores-<int:year>.xlsx", views.indicator_tables, name="indicator_tables"),
    path("<str:code>/budget-vs-actuals-<int:year>.xlsx", views.budget_vs_actuals, name="budget_vs_actuals"),
]
