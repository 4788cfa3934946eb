from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "safecontact.dashboard"
    verbose_name = "Dashboard, trustees' report and umbrella bodies"
