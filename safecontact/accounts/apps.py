from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safecontact.accounts"
    verbose_name = "Organisations and accounts"
