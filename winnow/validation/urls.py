from django.urls import path

from . import views

app_name = "validation"
urlpatterns = [
    path("", views.report, name="report"),
    path("report.csv", views.report_csv, name="report-csv"),
    path("referrals/<int:pk>/outcomes/", views.outcomes, name="outcomes"),
]
