import os

from django.core.asgi import get_asgi_application

from safeguarding.screening.scanner import default_scanner

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecontact.settings")
application = get_asgi_application()
# As in wsgi.py: the scanner's rules and the compiled scorer are ready before
# the first message, not compiled on it.
default_scanner()
