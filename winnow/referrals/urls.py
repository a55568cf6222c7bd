from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/package/", views.referral_package, name="package"),
    path("<int:pk>/close/", views.referral_close, name="close"),
    path("subjects/<int:pk>/", views.subject_detail, name="subject"),
]
