from django.urls import path

from . import ncmec_views, views

# Mounted under /referrals/ beside the referral pages: recording is where users look for it.
app_name = "intake"
urlpatterns = [
    path("new/", views.referral_new, name="new"),
    path("import/", views.referral_import, name="import"),
    path("import/template.csv", views.import_template, name="import-template"),
    path("cybertipline/", views.cybertipline_upload, name="cybertipline"),
    path("cybertipline/reports/", ncmec_views.reports, name="ncmec-reports"),
    path("cybertipline/reports/<int:pk>/close/", ncmec_views.close_informational, name="close-informational"),
    path("cybertipline/groups/<int:unit_id>/<str:digest>/", ncmec_views.group_detail, name="viral-group"),
    path("<int:pk>/correct/", views.referral_correct, name="correct"),
    path("<int:pk>/people/new/", views.subject_add, name="add-subject"),
]
