"""The family pages: reached by a secure emailed link, no sign-in.

Every view resolves the link first; a link that is unknown, expired or
replaced gets the same page (and the same status) as a guess, so trying
tokens tells nobody anything. Pages show only the people the link's holder
decides for.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from safecontact.families import requests as consent_requests
from safecontact.families import selectors, services
from safecontact.families.footer import Audience, report_url
from safecontact.families.forms import (
    EasyReadConsentForm,
    FamilyConsentForm,
    RequestLinkForm,
)
from safecontact.families.models import FamilyLink
from safecontact.groups.models import Group
from safecontact.lib.access import (
    get_for_org,
    lead_required,
    request_organisation,
    request_user,
)
from safecontact.lib.client_ip import client_ip
from safecontact.lib.forms import apply_errors
from safecontact.lib.hours import window_initial
from safecontact.people import services as people
from safecontact.people.models import Consent, Person

View = Callable[..., HttpResponse]


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never send it on to another site. (Not
    # "no-referrer": browsers then send "Origin: null" and CSRF refuses forms.)
    response["Referrer-Policy"] = "same-origin"
    return response


def with_link(view: View) -> View:
    """Resolve the token into a working link, or show the one "link does not
    work" page (status 200, whatever went wrong)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        link = services.resolve_link(token)
        if link is None:
            form = RequestLinkForm()
            return _private(
                render(request, "families/link_invalid.html", {"form": form})
            )
        return _private(view(request, link, token, **kwargs))

    return never_cache(wrapper)


@never_cache
def request_link(request: HttpRequest) -> HttpResponse:
    form = RequestLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not services.allow_link_request(
            client_address=client_ip(request), email=email
        ):
            return render(request, "families/slow_down.html", status=429)
        services.request_link(email=email)
        return render(request, "families/link_sent.html", {"email": email})
    return render(request, "families/request.html", {"form": form})


def _footer(link: FamilyLink) -> dict[str, str]:
    easy = link.person.kind == Person.Kind.ADULT_AT_RISK
    audience = Audience.EASY_READ if easy else Audience.PLAIN
    return {"report_url": report_url(link.organisation, audience)}


@with_link
def home(request: HttpRequest, link: FamilyLink, token: str) -> HttpResponse:
    holder = link.person
    context: dict[str, Any] = {
        "link": link,
        "token": token,
        "holder": holder,
        **_footer(link),
    }
    if holder.kind == Person.Kind.ADULT_AT_RISK:
        me = selectors.dependant(holder)
        form = EasyReadConsentForm(person=holder, initial=_easy_initial(me.consent))
        context |= {"me": me, "form": form, "Capacity": Consent.Capacity}
        return render(request, "families/easy_read.html", context)
    context["family"] = selectors.family(holder)
    return render(request, "families/home.html", context)


def _easy_initial(consent: Consent | None) -> dict[str, Any]:
    if consent is None or consent.status != Consent.Status.GIVEN:
        return {}
    return {"channels": consent.channels, "purposes": list(consent.purposes.all())}


def _initial(person: Person, consent: Consent | None) -> dict[str, Any]:
    if consent is None or consent.status != Consent.Status.GIVEN:
        # The organisation's default agreed hours, else every day.
        hours = window_initial(person.organisation.default_hours)
        return hours or {"days": [0, 1, 2, 3, 4, 5, 6]}
    first = consent.hours[0] if consent.hours else {}
    return {
        "channels": consent.channels,
        "purposes": list(consent.purposes.all()),
        "groups": list(consent.groups.all()),
        "allowed_workers": list(consent.allowed_workers.all()),
        "days": sorted({h["day"] for h in consent.hours}),
        "start": first.get("start", "08:00"),
        "end": first.get("end", "21:00"),
        "photos": "yes" if consent.photos_allowed else "no",
        "photos_where": consent.photos_where,
    }


@with_link
def consent(
    request: HttpRequest, link: FamilyLink, token: str, code: uuid.UUID
) -> HttpResponse:
    person = selectors.person_for(link.person, code)
    if person is None:
        return render(
            request, "families/link_invalid.html", {"form": RequestLinkForm()}
        )
    easy = person.kind == Person.Kind.ADULT_AT_RISK
    form_class = EasyReadConsentForm if easy else FamilyConsentForm
    form = form_class(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            _give(link, person, form.service_args())
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Thank you. Consent for {person.first_name} is recorded."
            )
            return redirect("families:home", token=token)
    elif request.method != "POST":
        form = form_class(
            person=person,
            initial=_initial(person, selectors.dependant(person).consent),
        )
    template = "families/easy_read.html" if easy else "families/consent.html"
    context: dict[str, Any] = {
        "link": link,
        "token": token,
        "person": person,
        "form": form,
        **_footer(link),
    }
    if easy:
        context |= {"me": selectors.dependant(person), "holder": person}
    return render(request, template, context)


def _give(link: FamilyLink, person: Person, args: dict[str, Any]) -> None:
    if person.kind == Person.Kind.ADULT_AT_RISK:
        current = selectors.dependant(person).consent
        if current is not None and current.status == Consent.Status.GIVEN:
            args["hours"] = current.hours
    people.record_online_consent(
        by=link.person, subject=person, link_code=link.code, **args
    )


@require_POST
@with_link
def withdraw(
    request: HttpRequest, link: FamilyLink, token: str, code: uuid.UUID
) -> HttpResponse:
    person = selectors.person_for(link.person, code)
    if person is None:
        return render(
            request, "families/link_invalid.html", {"form": RequestLinkForm()}
        )
    try:
        people.withdraw_online_consent(
            by=link.person, subject=person, link_code=link.code
        )
    except ValidationError:
        messages.info(
            request, f"There was no consent for {person.first_name} to withdraw."
        )
    else:
        messages.success(
            request,
            f"Consent for {person.first_name} is withdrawn. Nobody may contact "
            "them through us now, and messages waiting to be sent are stopped.",
        )
    return redirect("families:home", token=token)


# --- The Lead's side: consent requests ----------------------------------------


@lead_required
def requests_page(request: HttpRequest) -> HttpResponse:
    org = request_organisation(request)
    groups = Group.objects.filter(organisation=org, archived_at=None)
    if request.method == "POST":
        try:
            code = uuid.UUID(request.POST.get("group", ""))
        except ValueError:
            messages.error(request, "Choose a group.")
            return redirect("families:requests")
        group = get_for_org(groups, org, code=code)
        consent_requests.request_consent(actor=request_user(request), group=group)
        messages.success(
            request,
            f"Consent requests for {group.name} are being sent. This page shows "
            "how far they have gone.",
        )
        return redirect("families:requests")
    context = {"groups": groups, "batches": consent_requests.batches(org)}
    return render(request, "families/requests.html", context)


@require_POST
@lead_required
def remind(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    count = consent_requests.remind(actor=request_user(request), batch=code)
    if not count and not consent_requests.batch_exists(
        request_organisation(request), code
    ):
        raise Http404
    messages.success(request, f"Reminders sent to {count} people.")
    return redirect("families:requests")
