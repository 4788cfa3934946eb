from django.urls import path

from safecontact.families import views

app_name = "families"
urlpatterns = [
    path("", views.request_link, name="request"),
    path("requests/", views.requests_page, name="requests"),
    path("requests/<uuid:code>/remind/", views.remind, name="remind"),
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/consent/<uuid:code>/", views.consent, name="consent"),
    path("<str:token>/withdraw/<uuid:code>/", views.withdraw, name="withdraw"),
]
