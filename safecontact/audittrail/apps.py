from django.apps import AppConfig


class AudittrailConfig(AppConfig):
    name = "safecontact.audittrail"
    verbose_name = "Audit trail"
