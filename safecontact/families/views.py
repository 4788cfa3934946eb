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
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from safecontact.contact.picker import picker
from safecontact.families import requests as consent_requests
from safecontact.families import selectors, services
from safecontact.families.footer import Audience, report_url
from safecontact.families.forms import (
    ChooseForm,
    EasyReadConsentForm,
    FamilyConsentForm,
    PreferencesForm,
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
from safecontact.lib.pages import paginate
from safecontact.people import services as people
from safecontact.people.models import Consent, Person

View = Callable[..., HttpResponse]
BATCH_PAGE = 50


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
        context |= {
            "me": me,
            "form": form,
            "Capacity": Consent.Capacity,
            "prefs": _preferences_form(holder),
        }
        return render(request, "families/easy_read.html", context)
    context["family"] = selectors.family(holder)
    return render(request, "families/home.html", context)


def _preferences_form(holder: Person, data: Any = None) -> PreferencesForm:
    initial = {
        "large_print": holder.large_print,
        "plain_text_email": holder.plain_text_email,
        "preferred_channel": holder.preferred_channel,
        "supporter": holder.supporter_id,
    }
    return PreferencesForm(
        data, initial=initial, choices=people.supporter_choices(holder)
    )


@require_POST
@with_link
def preferences(request: HttpRequest, link: FamilyLink, token: str) -> HttpResponse:
    """An adult at risk sets how they like messages (Easy Read page)."""
    holder = link.person
    if holder.kind != Person.Kind.ADULT_AT_RISK:
        return redirect("families:home", token=token)
    form = _preferences_form(holder, request.POST)
    if form.is_valid():
        try:
            people.set_own_preferences(
                by=holder,
                link_code=link.code,
                large_print=form.cleaned_data["large_print"],
                plain_text_email=form.cleaned_data["plain_text_email"],
                preferred_channel=form.cleaned_data["preferred_channel"],
                supporter=form.cleaned_data.get("supporter"),
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "Thank you. We will send messages your way.")
            return redirect("families:home", token=token)
    me = selectors.dependant(holder)
    context = {
        "link": link,
        "token": token,
        "holder": holder,
        "me": me,
        "form": EasyReadConsentForm(person=holder, initial=_easy_initial(me.consent)),
        "Capacity": Consent.Capacity,
        "prefs": form,
        **_footer(link),
    }
    return render(request, "families/easy_read.html", context)


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
        "platforms": list(consent.platforms.all()),
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
    """Ask a group's families in one go; the batches sent, with progress."""
    org = request_organisation(request)
    groups = Group.objects.filter(organisation=org, archived_at=None)
    if request.method == "POST":
        try:
            code = uuid.UUID(request.POST.get("group", ""))
        except ValueError:
            messages.error(request, "Choose a group.")
            return redirect("families:requests")
        group = get_for_org(groups, org, code=code)
        try:
            batch = consent_requests.request_consent(
                actor=request_user(request), group=group
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("families:requests")
        messages.success(
            request,
            f"Consent requests for {group.name} are being sent. This page shows "
            "how far they have got.",
        )
        return redirect("families:batch", code=batch)
    now = timezone.now()
    found = [(b, b.stalled(now)) for b in consent_requests.batches(org)]
    context = {"groups": groups, "batches": found}
    return render(request, "families/requests.html", context)


@lead_required
def choose(request: HttpRequest) -> HttpResponse:
    """Pick children and adults at risk (search, tick, turn pages: no
    JavaScript needed) and ask their parents, or them, in one go."""
    org = request_organisation(request)
    posted = request.method == "POST"
    sending = posted and request.POST.get("action") == "send"
    form = ChooseForm(request.POST if sending else None, organisation=org)
    if sending and form.is_valid():
        try:
            batch = consent_requests.request_consent(
                actor=request_user(request),
                subjects=list(form.cleaned_data["recipients"]),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Consent requests are being sent.")
            return redirect("families:batch", code=batch)
    people = form.fields["recipients"].queryset  # type: ignore[attr-defined]
    found = picker(people, request.POST if posted else request.GET)
    return render(request, "families/choose.html", {"form": form, "picker": found})


@require_GET
@lead_required
def batch(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """One batch: how far it has got, who has answered, reminders."""
    org = request_organisation(request)
    summary = consent_requests.batch_summary(org, code)
    if summary is None:
        raise Http404
    rows = paginate(request, consent_requests.batch_rows(org, code), BATCH_PAGE)
    stalled = summary.stalled(timezone.now())
    context = {"summary": summary, "page": rows, "stalled": stalled}
    return render(request, "families/batch.html", context)


@require_POST
@lead_required
def remind(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    org = request_organisation(request)
    if consent_requests.batch_summary(org, code) is None:
        raise Http404
    count = consent_requests.remind(actor=request_user(request), batch=code)
    if count:
        messages.success(
            request, f"Reminders are being sent to {count} {_people(count)}."
        )
    else:
        messages.info(request, "Everyone who was asked has answered.")
    return redirect("families:batch", code=code)


@require_POST
@lead_required
def carry_on(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    org = request_organisation(request)
    if consent_requests.batch_summary(org, code) is None:
        raise Http404
    if consent_requests.carry_on(actor=request_user(request), batch=code):
        messages.success(request, "Sending has started again.")
    else:
        messages.info(request, "These requests are still being sent, or all went.")
    return redirect("families:batch", code=code)


@require_POST
@lead_required
def renew(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    """The attention list's one-click "send a renewal request"."""
    org = request_organisation(request)
    consent = get_for_org(Consent.objects.select_related("subject"), org, code=code)
    name = consent.subject.first_name
    try:
        count = consent_requests.send_renewal_request(
            actor=request_user(request), consent=consent
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if count:
            messages.success(request, f"A renewal request for {name} is being sent.")
        else:
            messages.info(request, f"A renewal request for {name} was already sent.")
    return redirect(reverse("people:attention") + "?category=consent_renewal")


def _people(count: int) -> str:
    return "person" if count == 1 else "people"
