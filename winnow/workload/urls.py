from django.urls import path

from . import views

app_name = "workload"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.my_work, name="mine"),
    path("assign/", views.assign, name="assign"),
    path("referrals/<int:pk>/actions/", views.case_actions, name="actions"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:name>.csv", views.dashboard_csv, name="dashboard-csv"),
    path("forecast/", views.capacity_forecast, name="forecast"),
]
