from django.urls import path

from safecontact.concerns import views

app_name = "concerns"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.report, name="report"),
    path("new/sent/", views.reported, name="reported"),
    path("deleted/", views.deleted, name="deleted"),
    path("routing/", views.routing, name="routing"),
    path("report-link/", views.report_link, name="report_link"),
    path("report-link/qr.png", views.report_qr_png, name="report_qr_png"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/triage/", views.triage, name="triage"),
    path("<uuid:code>/chronology/", views.add_entry, name="add_entry"),
    path("<uuid:code>/actions/", views.add_action, name="add_action"),
    path(
        "<uuid:code>/actions/<uuid:action_code>/done/",
        views.complete_action,
        name="complete_action",
    ),
    path("<uuid:code>/decisions/", views.add_decision, name="add_decision"),
    path("<uuid:code>/referrals/", views.add_referral, name="add_referral"),
    path("<uuid:code>/evidence/", views.add_evidence, name="add_evidence"),
    path("<uuid:code>/share/", views.share, name="share"),
    path("<uuid:code>/share/<uuid:share_code>/remove/", views.unshare, name="unshare"),
    path("<uuid:code>/close/", views.close, name="close"),
    path("<uuid:code>/delete/", views.delete, name="delete"),
    path("<uuid:code>/summary/", views.summary, name="summary"),
    path(
        "<uuid:code>/attachments/<uuid:attachment_code>/",
        views.attachment,
        name="attachment",
    ),
]
