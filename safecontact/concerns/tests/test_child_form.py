"""The child-friendly form: one question a page, no JavaScript needed."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safecontact.concerns.models import Case
from safecontact.concerns.tests.factories import png_bytes

pytestmark = pytest.mark.django_db


def _post(client, org, data, files=None):
    url = reverse("report:child", args=[org.report_token])
    return client.post(url, {**data, **(files or {})})


def _hidden(html: str, name: str) -> bool:
    return f'type="hidden" name="{name}"' in html


def test_it_asks_one_question_a_page_and_carries_answers_forward(client, org):
    page = client.get(reverse("report:child", args=[org.report_token])).content.decode()
    assert "Question 1 of 4" in page and 'name="about"' not in page

    page = _post(client, org, {"step": "0", "narrative": "He said keep it secret"})
    html = page.content.decode()
    assert "Question 2 of 4" in html and _hidden(html, "narrative")
    assert "He said keep it secret" in html  # carried in a hidden field

    data = {"step": "1", "narrative": "He said keep it secret", "about": "outside"}
    html = _post(client, org, data).content.decode()
    assert "Question 3 of 4" in html and _hidden(html, "about")


def test_a_missing_answer_stays_on_that_page_with_a_message(client, org):
    html = _post(client, org, {"step": "0", "narrative": ""}).content.decode()
    assert "Question 1 of 4" in html and "Tell us what happened." in html


def test_back_returns_to_the_previous_question_with_the_answer(client, org):
    data = {"step": "1", "narrative": "Mean messages", "about": "inside", "back": "1"}
    html = _post(client, org, data).content.decode()
    assert "Question 1 of 4" in html and "Mean messages" in html


def test_a_child_can_send_anonymously_with_a_screenshot(client, org):
    answers = {
        "step": "3",
        "narrative": "A boy in the group chat shared my photo",
        "about": "inside",
        "about_description": "",
        "anonymous": "anonymous",
    }
    upload = SimpleUploadedFile("screen.png", png_bytes(), "image/png")
    response = _post(client, org, answers, {"screenshots": upload})
    assert response.status_code == HTTPStatus.FOUND
    case = Case.objects.get()
    assert case.form == "child" and case.anonymous
    assert case.attachments.count() == 1


def test_a_tampered_earlier_answer_sends_the_child_back_to_that_question(client, org):
    answers = {
        "step": "3",
        "narrative": "",
        "about": "outside",
        "anonymous": "anonymous",
    }
    html = _post(client, org, answers).content.decode()
    assert "Question 1 of 4" in html
    assert not Case.objects.exists()
