from django.apps import AppConfig


class GroupsConfig(AppConfig):
    label = "groups"
    verbose_name = "Groups and platforms"
    name = "safecontact.groups"
