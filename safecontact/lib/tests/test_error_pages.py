"""Error pages say in plain words what happened and what to do next."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from safecontact.conftest import login


@pytest.mark.django_db
def test_it_explains_a_page_the_role_cannot_open(client: Client, worker) -> None:
    login(client, worker)
    response = client.get(reverse("people:audit"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    page = response.content.decode()
    assert "You cannot open this page" in page
    assert reverse("home") in page
    assert "ask your Safeguarding Lead" in page


@pytest.mark.django_db
def test_it_explains_a_missing_page(client: Client, worker) -> None:
    login(client, worker)
    response = client.get("/people/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    page = response.content.decode()
    assert "Page not found" in page
    assert "it may have expired" in page


@pytest.mark.django_db
def test_it_explains_an_expired_form() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Your form timed out" in response.content.decode()


def test_the_server_error_page_needs_no_database_or_context() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    page = response.content.decode()
    assert "Sorry, something went wrong" in page
    assert "999" in page
