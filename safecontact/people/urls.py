from django.urls import path

from safecontact.people import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("add/", views.person_add, name="add"),
    path("attention/", views.attention, name="attention"),
    path("audit/", views.audit_trail, name="audit"),
    path("import/", views.import_upload, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("<uuid:code>/", views.person_detail, name="detail"),
    path("<uuid:code>/edit/", views.person_edit, name="edit"),
    path("<uuid:code>/worker/", views.worker_edit, name="worker"),
    path(
        "<uuid:code>/worker/reinstate/",
        views.worker_reinstate,
        name="worker_reinstate",
    ),
    path("<uuid:code>/vetting/", views.vetting_add, name="vetting"),
    path("<uuid:code>/training/", views.training_add, name="training"),
    path("<uuid:code>/carers/add/", views.relationship_add, name="relationship"),
    path("<uuid:code>/consent/", views.consent_add, name="consent"),
    path("<uuid:code>/consent/withdraw/", views.consent_withdraw, name="withdraw"),
]
