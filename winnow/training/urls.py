from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    path("vignettes/<slug:vignette_id>/", views.attempt, name="attempt"),
    path("attempts/<int:attempt_id>/", views.attempt_feedback, name="feedback"),
    path("supervision/", views.supervision, name="supervision"),
    path("standard/", views.standard, name="standard"),
    path("double-coding/", views.double_coding, name="double-coding"),
    path("double-coding/<int:assessment_id>/", views.second_coding, name="second-coding"),
    path("modules/<slug:module_id>/", views.module, name="module"),
]
