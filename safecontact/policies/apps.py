from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    label = "policies"
    verbose_name = "Policies and acknowledgements"
    name = "safecontact.policies"
