from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from safecontact.api import api
from safecontact.dashboard.views import home


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("account/", include("safecontact.accounts.urls")),
    path("operators/", include("safecontact.accounts.operator_urls")),
    path("people/", include("safecontact.people.urls")),
    path("groups/", include("safecontact.groups.urls")),
    path("contact/", include("safecontact.contact.urls")),
    path("ledger/", include("safecontact.ledger.urls")),
    path("concerns/", include("safecontact.concerns.urls")),
    path("assessments/", include("safecontact.assessments.urls")),
    path("policies/", include("safecontact.policies.urls")),
    path("dashboard/", include("safecontact.dashboard.urls")),
    path("notifications/", include("safecontact.notifications.urls")),
    path("audits/", include("safecontact.audits.urls")),
    path("report/", include("safecontact.concerns.public_urls")),
    path("family/", include("safecontact.families.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "safecontact.lib.errors.bad_request"
