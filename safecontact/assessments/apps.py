from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    label = "assessments"
    verbose_name = "Risk assessments of online activities"
    name = "safecontact.assessments"
