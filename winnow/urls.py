from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from winnow.api.api import api
from winnow.audit import views as audit_views
from winnow.daybook import views as daybook_views
from winnow.forms import LoginForm
from winnow.navigation import home
from winnow.signin.views import LoginView, LogoutView
from winnow.views import healthz
from winnow.worker import views as worker_views

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("today/", include("winnow.daybook.urls")),
    path("accessibility/", daybook_views.accessibility, name="accessibility"),
    path("login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("account/", include("winnow.signin.urls")),
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),  # one sign-in page
    path("logout/", LogoutView.as_view(), name="logout"),
    path("referrals/", include("winnow.intake.urls")),
    path("referrals/", include("winnow.referrals.urls")),
    path("assessments/", include("winnow.assessments.urls")),
    path("queue/", include("winnow.workload.urls")),
    path("linkage/", include("winnow.linkage.urls")),
    path("notifications/", include("winnow.notifications.urls")),
    path("offenders/", include("winnow.offenders.urls")),
    path("partners/", include("winnow.partners.urls")),
    path("triage/", include("winnow.triage.urls")),
    path("victim-id/", include("winnow.victimid.urls")),
    path("safeguarding/", include("winnow.safeguarding.urls")),
    path("tasks/", include("winnow.worker.urls")),
    path("jobs/<uuid:pk>/", worker_views.job_detail, name="job"),
    path("validation/", include("winnow.validation.urls")),
    path("research/", include("winnow.research.urls")),
    path("training/", include("winnow.training.urls")),
    path("transfers/", include("winnow.transfers.urls")),
    path("audit/", include(([path("", audit_views.event_list, name="events")], "audit"))),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
if settings.WINNOW_OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
