from django.urls import path

from . import views

app_name = "signin"
urlpatterns = [
    path("", views.account, name="account"),
    path("verify/", views.verify, name="verify"),
    path("two-step/", views.setup, name="setup"),
    path("two-step/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("password/", views.PasswordChangeView.as_view(), name="password"),
]
