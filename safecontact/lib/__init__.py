"""Small Django-aware helpers, one topic per module."""
