"""Routes of quarterly entry. The quarter form URL is relied on by bookmarks and tests."""

from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("entry/", views.entry_home, name="entry_home"),
    path("entry/review/", views.review_list, name="review_list"),
    path("entry/audit/", views.audit_log, name="audit_log"),
    path("entry/notifications/", views.notifications, name="notifications"),
    path("entry/value/<int:pk>/history/", views.value_history, name="value_history"),
    path("entry/value/<int:pk>/evidence/", views.evidence, name="evidence"),
    path("entry/value/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("entry/<str:code>/<str:period>/", views.quarter_entry, name="entry"),
    path("entry/<str:code>/<str:period>/submit/", views.submit, name="submit"),
    path("entry/<str:code>/<str:period>/review/", views.review, name="review"),
    path("entry/<str:code>/<str:period>/reopen/", views.reopen, name="reopen"),
    path("entry/<str:code>/<str:period>/opening-date/", views.opening_date, name="opening_date"),
    path("exports/<str:code>/indicadores-<int:year>.xlsx", views.indicator_tables_xlsx, name="indicator_tables_xlsx"),
]
