from django.urls import path

from safecontact.assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("new/", views.assessment_new, name="new"),
    path("<uuid:code>/", views.assessment_detail, name="detail"),
    path("<uuid:code>/edit/", views.assessment_edit, name="edit"),
    path("<uuid:code>/print/", views.assessment_print, name="print"),
    path("<uuid:code>/sign-off/", views.sign_off, name="sign_off"),
    path("<uuid:code>/archive/", views.archive, name="archive"),
    path("<uuid:code>/hazards/add/", views.hazard_form, name="hazard_add"),
    path(
        "<uuid:code>/hazards/<uuid:hazard_code>/", views.hazard_form, name="hazard_edit"
    ),
    path(
        "<uuid:code>/hazards/<uuid:hazard_code>/delete/",
        views.hazard_delete,
        name="hazard_delete",
    ),
    path(
        "<uuid:code>/hazards/<uuid:hazard_code>/controls/add/",
        views.control_add,
        name="control_add",
    ),
    path(
        "<uuid:code>/controls/<uuid:control_code>/done/",
        views.control_done,
        name="control_done",
    ),
]
