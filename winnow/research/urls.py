from django.urls import path

from . import views

app_name = "research"
urlpatterns = [
    path("", views.trends, name="trends"),
    path("trends/<slug:section>/", views.section, name="section"),
    path("trends/<slug:section>.csv", views.section_csv, name="section-csv"),
    path("referrals/<int:pk>/facts/", views.facts, name="facts"),
    path("exports/", views.exports, name="exports"),
]
