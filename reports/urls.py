from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("<str:code>/<int:year>/", views.report_html, name="report"),
    path("<str:code>/<int:year>.pdf", views.report_pdf, name="report_pdf"),
    path("<str:code>/<int:year>/changes/", views.report_changes, name="changes"),
    path("<str:code>/<int:year>/narratives/", views.narratives, name="narratives"),
    path("<str:code>/<int:year>/approve/", views.approve, name="approve"),
    path("<str:code>/<int:year>/reopen/", views.reopen, name="reopen"),
]
