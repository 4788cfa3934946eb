from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from safecontact.accounts.tests.factories import OrganisationFactory
from safecontact.concerns.crypto import decrypt_bytes
from safecontact.concerns.models import Case
from safecontact.concerns.services import REPORTS_PER_HOUR
from safecontact.concerns.tests.factories import png_bytes

pytestmark = pytest.mark.django_db

ANSWERS = {
    "narrative": "Someone in the gaming group keeps asking me where I live.",
    "about": "outside",
    "about_description": "user xx_wolf",
    "anonymous": "anonymous",
}


def _url(name, org):
    return reverse(f"report:{name}", args=[org.report_token])


def test_the_start_page_needs_no_login_and_shows_what_to_do_in_danger(client, org):
    response = client.get(_url("start", org))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "999" in html
    assert "https://www.ceop.police.uk/Safety-Centre/" in html
    assert "0800 1111" in html and "https://www.childline.org.uk/" in html
    for name in ("standard", "easy_read", "child"):
        assert _url(name, org) in html


@pytest.mark.parametrize("name", ["start", "standard", "easy_read", "child", "sent"])
def test_every_report_page_shows_the_danger_box(client, org, name):
    html = client.get(_url(name, org)).content.decode()
    if name != "sent":
        assert "Call <strong>999</strong>" in html
    assert "ceop.police.uk" in html and "childline.org.uk" in html


def test_an_unknown_token_is_not_found(client, org):
    response = client.get(reverse("report:standard", args=["not-a-real-token"]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_public_form_shows_no_surname_or_contact_detail(client, org, make_user):
    colleague = make_user(
        "worker", org, first_name="Quilliam", last_name="Zephyrine",
        email="quilliam@example.org",
    )  # fmt: skip
    stranger = make_user("worker", OrganisationFactory.create(), first_name="Xantippa")
    for name in ("standard", "easy_read", "child"):
        url = _url(name, org)
        child = {"step": "0", "narrative": "x"}
        html = client.post(url, child) if name == "child" else client.get(url)
        page = html.content.decode()
        assert "Quilliam" in page  # first name and role only, to say who it was
        assert colleague.last_name not in page and colleague.email not in page
        assert stranger.first_name not in page
        assert str(colleague.code) not in page


def test_an_anonymous_report_makes_a_case_and_shows_the_reference(
    client, org, lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("standard", org), ANSWERS)
    assert response.status_code == HTTPStatus.FOUND
    case = Case.objects.get()
    assert case.anonymous and case.reporter_contact == "" and case.reported_by is None
    assert case.source == "public" and case.form == "standard"
    assert case.narrative == ANSWERS["narrative"]
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page and "What happens next" in page
    again = client.get(response["Location"]).content.decode()
    assert case.reference in again  # a reload keeps it
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [lead.email]


def test_the_reference_is_short_and_human(client, org):
    client.post(_url("standard", org), ANSWERS)
    reference = Case.objects.get().reference
    assert len(reference) == 12 and reference.startswith("SC-") and reference[7] == "-"
    assert not set(reference[3:].replace("-", "")) & set("01IOL5S8B")


def test_a_reporter_who_wants_contact_must_say_how(client, org):
    response = client.post(_url("standard", org), {**ANSWERS, "anonymous": "contact"})
    assert response.status_code == HTTPStatus.OK
    assert (
        "Tell us how to reach you, or choose to stay anonymous."
        in response.content.decode()
    )
    assert not Case.objects.exists()


def test_contact_details_are_kept_when_given(client, org):
    client.post(
        _url("standard", org),
        {**ANSWERS, "anonymous": "contact", "reporter_contact": "07700 900123"},
    )
    case = Case.objects.get()
    assert not case.anonymous and case.reporter_contact == "07700 900123"


def test_missing_answers_are_explained(client, org):
    html = client.post(_url("standard", org), {}).content.decode()
    assert "Tell us what happened." in html and "Choose who it was." in html
    assert "error-summary" in html


def test_a_screenshot_is_stored_cleaned(client, org):
    upload = SimpleUploadedFile("chat.png", png_bytes(), content_type="image/png")
    client.post(_url("standard", org), {**ANSWERS, "screenshots": [upload]})
    attachment = Case.objects.get().attachments.get()
    assert decrypt_bytes(attachment.data).startswith(b"\x89PNG")


def test_a_disguised_file_is_refused_with_a_clear_message(client, org):
    fake = SimpleUploadedFile("chat.png", b"%PDF-1.7 not an image", "image/png")
    response = client.post(_url("standard", org), {**ANSWERS, "screenshots": [fake]})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "is not really a picture" in html and "chat.png" in html
    assert not Case.objects.exists()


def test_an_oversized_file_is_refused_with_a_clear_message(client, org):
    big = SimpleUploadedFile("huge.png", b"\x00" * (8 * 1024 * 1024 + 1), "image/png")
    html = client.post(
        _url("standard", org), {**ANSWERS, "screenshots": [big]}
    ).content.decode()
    assert "is too big" in html and "8 MB or less" in html
    assert not Case.objects.exists()


def test_more_than_five_pictures_are_refused(client, org):
    files = [SimpleUploadedFile(f"{i}.png", png_bytes(), "image/png") for i in range(6)]
    html = client.post(
        _url("standard", org), {**ANSWERS, "screenshots": files}
    ).content.decode()
    assert "up to 5 pictures" in html
    assert not Case.objects.exists()


def test_the_easy_read_form_reports_too(client, org):
    page = client.get(_url("easy_read", org)).content.decode()
    assert "easy-read" in page and "Tell us about a worry" in page
    client.post(_url("easy_read", org), ANSWERS)
    assert Case.objects.get().form == "easy_read"


@pytest.mark.parametrize("name", ["standard", "easy_read", "child"])
def test_the_forms_are_protected_against_cross_site_posts(org, name):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(name, org), {**ANSWERS, "step": "3"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Case.objects.exists()


def test_a_form_with_its_csrf_token_is_accepted(org):
    client = Client(enforce_csrf_checks=True)
    client.get(_url("standard", org))
    token = client.cookies["csrftoken"].value
    response = client.post(
        _url("standard", org), {**ANSWERS, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert Case.objects.count() == 1


def test_too_many_reports_from_one_address_are_paused(client, org):
    for _ in range(REPORTS_PER_HOUR):
        assert (
            client.post(_url("standard", org), ANSWERS).status_code == HTTPStatus.FOUND
        )
    response = client.post(_url("standard", org), ANSWERS)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "999" in response.content.decode()
    assert Case.objects.count() == REPORTS_PER_HOUR


def test_a_form_filling_robot_is_quietly_ignored(client, org):
    response = client.post(
        _url("standard", org), {**ANSWERS, "website": "spam.example"}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not Case.objects.exists()


def test_an_upload_far_over_the_limit_is_refused_before_it_is_read(client, org):
    from safecontact.concerns.public_views import MAX_REQUEST_BYTES

    response = client.generic(
        "POST",
        _url("standard", org),
        data=b"x",
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(MAX_REQUEST_BYTES + 1),
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "too much to send" in response.content.decode()
    assert not Case.objects.exists()
