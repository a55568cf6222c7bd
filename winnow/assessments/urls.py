from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("subjects/<int:pk>/", views.subject_assessments, name="subject"),
    path("subjects/<int:pk>/new/<slug:instrument_id>/", views.assessment_new, name="new"),
    path("subjects/<int:pk>/youth-pathway/", views.youth_pathway_new, name="youth"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/decide/", views.assessment_decide, name="decide"),
]
