from http import HTTPStatus

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_lead_gets_the_short_link_and_a_qr_code(org, lead, client_for):
    client = client_for(lead)
    html = client.get(reverse("concerns:report_link")).content.decode()
    assert f"/report/{org.report_token}/" in html and "<svg" in html
    png = client.get(reverse("concerns:report_qr_png"))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")


def test_workers_cannot_open_the_link_page(worker, client_for):
    client = client_for(worker)
    assert (
        client.get(reverse("concerns:report_link")).status_code == HTTPStatus.FORBIDDEN
    )
    assert client.get(reverse("concerns:deleted")).status_code == HTTPStatus.FORBIDDEN


def test_anonymous_visitors_must_log_in(client):
    response = client.get(reverse("concerns:report_link"))
    assert response.status_code == HTTPStatus.FOUND
