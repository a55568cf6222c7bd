from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("hash-sets/", views.hash_sets, name="hash-sets"),
    path("referrals/<int:referral_pk>/exhibits/new/", views.exhibit_new, name="exhibit-new"),
    path("exhibits/<int:pk>/", views.exhibit_detail, name="exhibit"),
    path("exhibits/<int:pk>/upload/", views.exhibit_upload, name="exhibit-upload"),
    path("exhibits/<int:pk>/summarise/", views.exhibit_summarise, name="exhibit-summarise"),
    path("exhibits/<int:pk>/suggestions/confirm/", views.suggestion_confirm_view, name="suggestion-confirm"),
]
