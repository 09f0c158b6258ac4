"""Beneficiary workbooks, mounted under /exports/ by cse_monitor/site_urls.py."""

from django.urls import path

from municipalities import views

app_name = "municipalities"

urlpatterns = [
    path("<str:code>/beneficiarios.xlsx", views.beneficiaries, name="beneficiaries"),
    path("<str:code>/beneficiarios-plantilla.xlsx", views.beneficiaries_template, name="beneficiaries_template"),
]
