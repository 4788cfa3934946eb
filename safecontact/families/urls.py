from django.urls import path

from safecontact.families import views

app_name = "families"
urlpatterns = [
    path("", views.request_link, name="request"),
    path("requests/", views.requests_page, name="requests"),
    path("requests/choose/", views.choose, name="choose"),
    path("requests/<uuid:code>/", views.batch, name="batch"),
    path("requests/<uuid:code>/remind/", views.remind, name="remind"),
    path("requests/<uuid:code>/carry-on/", views.carry_on, name="carry_on"),
    path("renewals/<uuid:code>/", views.renew, name="renew"),
    path("<str:token>/", views.home, name="home"),
    path("<str:token>/consent/<uuid:code>/", views.consent, name="consent"),
    path("<str:token>/withdraw/<uuid:code>/", views.withdraw, name="withdraw"),
    path("<str:token>/preferences/", views.preferences, name="preferences"),
]
