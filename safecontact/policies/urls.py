from django.urls import path

from safecontact.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_new, name="new"),
    path("<uuid:code>/", views.policy_detail, name="detail"),
    path("<uuid:code>/print/", views.policy_print, name="print"),
    path("<uuid:code>/edit/", views.policy_edit, name="edit"),
    path("<uuid:code>/publish/", views.policy_publish, name="publish"),
    path("<uuid:code>/reviewed/", views.policy_reviewed, name="reviewed"),
    path("<uuid:code>/retire/", views.policy_retire, name="retire"),
    path("<uuid:code>/acknowledge/", views.policy_acknowledge, name="acknowledge"),
    path(
        "<uuid:code>/acknowledgements/", views.acknowledgements, name="acknowledgements"
    ),
]
