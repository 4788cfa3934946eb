from django.urls import path

from safecontact.notifications import views

app_name = "notifications"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("failures/", views.failures, name="failures"),
    path("<uuid:code>/retry/", views.retry, name="retry"),
]
