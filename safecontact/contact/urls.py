from django.urls import path

from safecontact.contact import views

app_name = "contact"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("compose/", views.compose, name="compose"),
    path("inbox/", views.inbox, name="inbox"),
    path("sent/", views.sent, name="sent"),
    path("messages/<uuid:code>/", views.detail, name="detail"),
    path(
        "messages/<uuid:code>/release/",
        views.review,
        {"action": "release"},
        name="release",
    ),
    path(
        "messages/<uuid:code>/reject/",
        views.review,
        {"action": "reject"},
        name="reject",
    ),
    path("held/", views.held, name="held"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<uuid:code>/", views.alert_detail, name="alert"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<uuid:code>/retry/", views.retry, name="retry"),
    path("quarantine/", views.quarantine, name="quarantine"),
]
