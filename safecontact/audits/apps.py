from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "safecontact.audits"
    verbose_name = "Audits of chats run elsewhere"
