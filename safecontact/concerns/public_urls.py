from django.urls import path

from safecontact.concerns import public_views as views

app_name = "report"
urlpatterns = [
    path("<str:token>/", views.start, name="start"),
    path("<str:token>/form/", views.standard, name="standard"),
    path("<str:token>/easy-read/", views.easy_read, name="easy_read"),
    path("<str:token>/young-people/", views.child, name="child"),
    path("<str:token>/sent/", views.sent, name="sent"),
]
