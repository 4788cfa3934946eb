from django.urls import path

from safecontact.audits import views

app_name = "audits"
urlpatterns = [
    path("", views.audit_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<uuid:code>/", views.detail, name="detail"),
    path("<uuid:code>/restart/", views.restart, name="restart"),
    path("findings/<uuid:code>/attention/", views.attention, name="attention"),
    path("findings/<uuid:code>/alert/", views.alert, name="alert"),
    path("findings/<uuid:code>/concern/", views.concern, name="concern"),
]
