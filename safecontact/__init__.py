"""SafeContact: the Django project (apps, settings, API)."""
