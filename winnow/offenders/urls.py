from django.urls import path

from . import views

app_name = "offenders"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/contacts/new/", views.contact_new, name="contact"),
    path("<int:pk>/plan/", views.plan_new, name="plan"),
    path("<int:pk>/reviews/new/", views.review_new, name="review"),
    path("<int:pk>/reactive/", views.reactive, name="reactive"),
    path("<int:pk>/registration/", views.registration_correct, name="registration"),
]
