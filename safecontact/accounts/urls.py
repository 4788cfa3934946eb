from django.contrib.auth import views as auth_views
from django.urls import path

from safecontact.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<uuid:code>/revoke/", views.revoke_api_key, name="revoke_api_key"),
]
