from django.urls import path

from safecontact.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("refresh/", views.refresh, name="refresh"),
    path("report/", views.report, name="report"),
    path("report/print/", views.report_print, name="report_print"),
    path("trustees/", views.grants, name="grants"),
    path("umbrella/", views.umbrella, name="umbrella"),
    path("umbrella/invite/", views.invite, name="invite"),
    path("umbrella/threshold/", views.threshold, name="threshold"),
    path("umbrella/templates/new/", views.template_new, name="template_new"),
    path("umbrella/members/<uuid:code>/", views.member, name="member"),
    path("membership/", views.membership, name="membership"),
    path(
        "membership/<uuid:code>/accept/",
        views.membership_change,
        {"action": "accept"},
        name="accept",
    ),
    path(
        "membership/<uuid:code>/leave/",
        views.membership_change,
        {"action": "leave"},
        name="leave",
    ),
]
