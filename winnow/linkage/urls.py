from django.urls import path

from . import views

app_name = "linkage"
urlpatterns = [
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/run/", views.run_linkage, name="run"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="undo"),
]
