from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from safecontact.accounts import views
from safecontact.accounts.forms import QueuedPasswordResetForm

app_name = "accounts"
_reset = "accounts/password_reset"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<uuid:code>/revoke/", views.revoke_api_key, name="revoke_api_key"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("invite/<uuid:code>/", views.invite, name="invite"),
    path("logins/", views.logins, name="logins"),
    path("logins/<uuid:code>/role/", views.change_role, name="change_role"),
    path("logins/<uuid:code>/active/", views.set_active, name="set_active"),
    path(
        "logins/<uuid:code>/reset-two-factor/",
        views.reset_two_factor,
        name="reset_two_factor",
    ),
    path("settings/", views.organisation_settings, name="settings"),
    path("start/", views.first_run, name="first_run"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name=f"{_reset}_form.html",
            email_template_name=f"{_reset}_email.txt",
            subject_template_name=f"{_reset}_subject.txt",
            form_class=QueuedPasswordResetForm,
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name=f"{_reset}_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name=f"{_reset}_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name=f"{_reset}_complete.html"
        ),
        name="password_reset_complete",
    ),
]
