from django.urls import path

from safecontact.people import views

app_name = "people"
urlpatterns = [
    path("attention/", views.attention, name="attention"),
]
