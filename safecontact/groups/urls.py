from django.urls import path

from safecontact.groups import views

app_name = "groups"
urlpatterns = [
    path("", views.group_list, name="list"),
    path("add/", views.group_add, name="add"),
    path("platforms/", views.platform_list, name="platforms"),
    path("purposes/", views.purpose_list, name="purposes"),
    path("purposes/<uuid:code>/rename/", views.purpose_rename, name="purpose_rename"),
    path("purposes/<uuid:code>/retire/", views.purpose_retire, name="purpose_retire"),
    path(
        "platforms/<uuid:code>/approval/",
        views.platform_approval,
        name="platform_approval",
    ),
    path("<uuid:code>/", views.group_detail, name="detail"),
    path("<uuid:code>/edit/", views.group_edit, name="edit"),
    path("<uuid:code>/members/add/", views.member_add, name="member_add"),
    path("members/<uuid:code>/remove/", views.member_remove, name="member_remove"),
]
