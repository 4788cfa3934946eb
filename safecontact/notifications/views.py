from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from safecontact.lib.access import (
    get_for_org,
    lead_required,
    member_required,
    request_user,
)
from safecontact.lib.pages import paginate
from safecontact.notifications import selectors, services
from safecontact.notifications.forms import PreferenceForm


@member_required
def preferences(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    initial = {"delivery": selectors.preference_for(user)}
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.set_preference(actor=user, delivery=form.cleaned_data["delivery"])
        messages.success(request, "Your email choice is saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@require_safe
@lead_required
def failures(request: HttpRequest) -> HttpResponse:
    """Emails SafeContact could not deliver after its retries, to try again."""
    user = request_user(request)
    page = paginate(request, selectors.failed_notifications(user))
    now = timezone.now()
    rows = [(row, services.retry_blocked(row, now)) for row in page]
    context = {
        "page": page,
        "rows": rows,
        "retrying": selectors.retrying_count(user),
    }
    return render(request, "notifications/failures.html", context)


@require_POST
@lead_required
def retry(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    user = request_user(request)
    row = get_for_org(
        selectors.visible_notifications(user), user.organisation, code=code
    )
    try:
        services.retry_notification(actor=user, notification=row)
    except services.NotificationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Trying the email to {row.recipient} again now. If it still cannot be "
            "sent it comes back to this list after a day of retries.",
        )
    return redirect("notifications:failures")
