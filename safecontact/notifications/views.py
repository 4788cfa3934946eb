from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safecontact.lib.access import member_required, request_user
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
