import os

from django.core.wsgi import get_wsgi_application

from safeguarding.screening.scanner import default_scanner

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safecontact.settings")
application = get_wsgi_application()
# Compile the scanner's rules now rather than on the first message (ten
# seconds or more on a small machine, long enough for that request to time
# out). Under gunicorn --preload this happens once, before the workers fork.
default_scanner()
