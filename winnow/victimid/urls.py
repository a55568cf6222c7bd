from django.urls import path

from . import views

app_name = "victimid"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("series/<int:pk>/", views.series_detail, name="series"),
    path("series/<int:pk>/step/", views.series_step, name="series-step"),
    path("series/<int:pk>/export/", views.series_export_view, name="series-export"),
    path("series/<int:pk>/location/", views.series_location, name="series-location"),
]
