from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safecontact.notifications"
    verbose_name = "Notifications"
