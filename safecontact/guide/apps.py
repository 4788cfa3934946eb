from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "safecontact.guide"
    verbose_name = "Pages that guide"
