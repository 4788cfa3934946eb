"""Errors Django answers itself: an oversized body, and any API error that
did not come from the API's own handlers (an unknown path, a wrong method)."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

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


class ApiErrorsAsJson:
    """Under /api/, any error response that is not JSON becomes ``{"error": ...}``.

    The API's exception handlers already answer so; this covers what Django
    and ninja answer before them: 404 for an unknown path, 405 for a method
    the path does not take, 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if (
            request.path.startswith("/api/")
            and status >= 400
            and not (settings.DEBUG and status >= 500)  # keep the traceback
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            message = HTTPStatus(status).phrase.capitalize() + "."
            replaced = JsonResponse({"error": message}, status=status)
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
