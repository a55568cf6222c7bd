from django.urls import path

from . import views

app_name = "transfers"
urlpatterns = [
    path("", views.transfer_list, name="list"),
    path("<int:pk>/", views.transfer_detail, name="detail"),
    path("<int:pk>/decide/", views.transfer_decide_view, name="decide"),
    path("referrals/<int:referral_pk>/", views.referral_transfers, name="referral"),
    path("referrals/<int:referral_pk>/request/", views.transfer_request_view, name="request"),
    path("referrals/<int:referral_pk>/export/", views.referral_export_view, name="export"),
    path("import/", views.package_import_view, name="import"),
]
