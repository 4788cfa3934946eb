from django.urls import path

from safecontact.accounts import views

app_name = "operators"
urlpatterns = [
    path("", views.operators, name="list"),
    path("<uuid:code>/suspend/", views.suspend, name="suspend"),
]
