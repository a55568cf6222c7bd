from django.urls import path

from . import views

app_name = "safeguarding"
urlpatterns = [
    path("", views.due_list, name="list"),
    path("referrals/<int:pk>/", views.referral_safeguarding, name="referral"),
    path("referrals/<int:pk>/new/", views.record_new, name="record"),
    path("records/<int:pk>/revise/", views.record_revise, name="revise"),
    path("concerns/<int:pk>/withdraw/", views.concern_withdraw, name="withdraw"),
]
