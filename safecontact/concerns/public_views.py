"""Reporting a concern without logging in, from the organisation's short link.

The public learns only the first names and roles of the people who help at
the organisation (so a report can say who it is about), never surnames or
contact details. The child-friendly form carries earlier answers in hidden fields
(no JavaScript, nothing stored until the reporter presses Send).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from safecontact.accounts.models import Organisation
from safecontact.concerns import services
from safecontact.concerns.forms import CHILD_STEPS, PublicReportForm
from safecontact.concerns.images import MAX_BYTES, MAX_FILES
from safecontact.concerns.models import Case
from safecontact.concerns.selectors import helpers, the_lead
from safecontact.lib.client_ip import client_ip

SESSION_REFERENCE = "concern_reference"
# The reference survives a reload for this long, then goes: on a shared family
# device the next person should not find it.
REFERENCE_SECONDS = 30 * 60


def _bound(request: HttpRequest) -> tuple[Any, Any]:
    """Form data and files on POST (even if empty, so errors show); None on GET."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def _organisation(token: str) -> Organisation:
    return get_object_or_404(Organisation, report_token=token)


# Room for five full-size pictures plus the text; anything bigger is refused
# before Django spools it to disk.
MAX_REQUEST_BYTES = MAX_FILES * MAX_BYTES + 1024 * 1024


def _too_big(request: HttpRequest, org: Organisation) -> HttpResponse | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if request.method != "POST" or length <= MAX_REQUEST_BYTES:
        return None
    context = {"org": org, "limit_mb": MAX_REQUEST_BYTES // 1024 // 1024}
    return render(request, "concerns/public/too_big.html", context, status=413)


def _client_address(request: HttpRequest) -> str:
    return client_ip(request)


def _submit(
    request: HttpRequest, org: Organisation, form: PublicReportForm, style: str
) -> HttpResponse:
    """Save the concern (or quietly drop a robot's), then show the reference."""
    if not services.allow_public_report(
        organisation=org, client_address=_client_address(request)
    ):
        return render(
            request, "concerns/public/slow_down.html", {"org": org}, status=429
        )
    if not form.is_robot():
        helper = form.helper()
        about_user = helper.user if helper else None
        if form.about_lead():
            about_user = the_lead(org)
        case = services.report_concern(
            actor=None,
            organisation=org,
            report=form.to_report(),
            source=Case.Source.PUBLIC,
            form=style,
            about_user=about_user,
        )
        request.session[SESSION_REFERENCE] = {
            "reference": case.reference,
            "org": org.pk,
            "until": int(time.time()) + REFERENCE_SECONDS,
        }
    return redirect("report:sent", token=org.report_token)


@never_cache
def start(request: HttpRequest, token: str) -> HttpResponse:
    org = _organisation(token)
    return render(request, "concerns/public/start.html", {"org": org})


def size_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse an oversized POST before anything reads its body, then check CSRF.

    CsrfViewMiddleware would read (and spool to disk) the whole upload to find
    the token, so the view is exempt from the middleware and protected here,
    after the size check, instead.
    """
    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str) -> HttpResponse:
        if refused := _too_big(request, _organisation(token)):
            return refused
        return protected(request, token)

    return csrf_exempt(never_cache(wrapper))


def _one_page_form(request: HttpRequest, token: str, style: str) -> HttpResponse:
    org = _organisation(token)
    form = PublicReportForm(*_bound(request), style=style, helpers=helpers(org))
    if request.method == "POST" and form.is_valid():
        return _submit(request, org, form, style)
    template = f"concerns/public/{style}.html"
    return render(request, template, {"org": org, "form": form})


@size_limited
def standard(request: HttpRequest, token: str) -> HttpResponse:
    return _one_page_form(request, token, "standard")


@size_limited
def easy_read(request: HttpRequest, token: str) -> HttpResponse:
    return _one_page_form(request, token, "easy_read")


def _child_form(request: HttpRequest, org: Organisation, upto: int) -> PublicReportForm:
    """The child form bound to the answers so far, with only steps 0..upto."""
    form = PublicReportForm(
        request.POST, request.FILES or None, style="child", helpers=helpers(org)
    )
    keep = {name for _, names in CHILD_STEPS[: upto + 1] for name in names}
    for name in list(form.fields):
        if name not in keep:
            del form.fields[name]
    return form


def _step_page(
    request: HttpRequest, org: Organisation, step: int, form: PublicReportForm | None
) -> HttpResponse:
    title, names = CHILD_STEPS[step]
    if form is None:  # moving on or back: show the saved answers, no errors
        data = request.POST if request.method == "POST" else {}
        form = PublicReportForm(
            style="child", helpers=helpers(org), initial=dict(data.items())
        )
    current = [form[name] for name in names if name in form.fields]
    carried = [
        (name, value)
        for _, step_names in CHILD_STEPS
        for name in step_names
        if name not in names and name != "screenshots"
        for value in request.POST.getlist(name)
    ]
    context = {
        "org": org,
        "form": form,
        "fields": current,
        "carried": carried,
        "step": step,
        "step_number": step + 1,
        "step_count": len(CHILD_STEPS),
        "title": title,
        "last": step == len(CHILD_STEPS) - 1,
    }
    return render(request, "concerns/public/child.html", context)


@size_limited
def child(request: HttpRequest, token: str) -> HttpResponse:
    org = _organisation(token)
    if request.method != "POST":
        return _step_page(request, org, 0, None)
    try:
        step = min(max(int(request.POST.get("step", "0")), 0), len(CHILD_STEPS) - 1)
    except ValueError:
        step = 0
    if "back" in request.POST:
        return _step_page(request, org, max(step - 1, 0), None)
    form = _child_form(request, org, step)
    if not form.is_valid():
        first_bad = (
            next(
                i
                for i, (_, names) in enumerate(CHILD_STEPS)
                if set(names) & set(form.errors)
            )
            if set(form.errors) - {"__all__"}
            else step
        )
        return _step_page(request, org, first_bad, form)
    if step < len(CHILD_STEPS) - 1:
        return _step_page(request, org, step + 1, None)
    return _submit(request, org, form, "child")


@never_cache
def sent(request: HttpRequest, token: str) -> HttpResponse:
    org = _organisation(token)
    saved = request.session.get(SESSION_REFERENCE)
    saved = saved if isinstance(saved, dict) else {}
    reference = ""
    if saved.get("until", 0) <= time.time():
        request.session.pop(SESSION_REFERENCE, None)
    elif saved.get("org") == org.pk:
        reference = saved.get("reference", "")
    return render(
        request, "concerns/public/sent.html", {"org": org, "reference": reference}
    )
