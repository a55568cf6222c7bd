from django.urls import path

from . import views

app_name = "daybook"
urlpatterns = [
    path("", views.today, name="today"),
]
