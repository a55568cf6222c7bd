from django.urls import path

from . import views

# Mounted under /referrals/ beside the referral pages: recording is where users look for it.
app_name = "intake"
urlpatterns = [
    path("new/", views.referral_new, name="new"),
    path("import/", views.referral_import, name="import"),
    path("import/template.csv", views.import_template, name="import-template"),
    path("cybertipline/", views.cybertipline_upload, name="cybertipline"),
    path("<int:pk>/correct/", views.referral_correct, name="correct"),
]
