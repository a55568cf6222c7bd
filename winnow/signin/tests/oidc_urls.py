"""Winnow's URLs with OpenID Connect on, as `winnow.urls` has them when WINNOW_OIDC_CLIENT_ID is set at start-up."""

from django.urls import include, path

from winnow.urls import urlpatterns as winnow_urlpatterns

urlpatterns = [*winnow_urlpatterns, path("oidc/", include("mozilla_django_oidc.urls"))]
