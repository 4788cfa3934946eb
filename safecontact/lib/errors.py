"""Error pages Django shows for a request it refuses before any view runs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults


def too_big_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return (
        f"The request is too large: the most we accept is {limit:g} MB. "
        "Send less at a time, or smaller files."
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400, except a body over UPLOAD_MAX_BYTES, which is a 413.

    Django raises RequestDataTooBig (a SuspiciousOperation, so a 400) when a
    form or API call reads a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE.
    """
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": too_big_message()}, status=413)
    return render(request, "413.html", {"message": too_big_message()}, status=413)
