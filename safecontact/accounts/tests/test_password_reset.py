import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from safecontact.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "a quiet afternoon of rain"


def test_a_password_is_reset_by_email(
    client, worker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:password_reset"), {"email": worker.email}
        )
    assert response["Location"] == reverse("accounts:password_reset_done")
    path = re.search(r"https?://[^/]+(/\S+)", mailoutbox[0].body).group(1)
    form = client.get(path, follow=True)
    assert form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW}
    )
    assert done["Location"] == reverse("accounts:password_reset_complete")
    worker.refresh_from_db()
    assert worker.check_password(NEW) and not worker.check_password(PASSWORD)
    # The link works once.
    again = client.get(path, follow=True)
    assert not again.context["validlink"]


def test_the_reset_page_does_not_reveal_whether_an_address_exists(
    client, worker, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:password_reset"), {"email": worker.email})
        unknown = client.post(
            reverse("accounts:password_reset"), {"email": "nobody@example.org"}
        )
    assert known["Location"] == unknown["Location"]
    assert len(mailoutbox) == 1
    page = client.get(reverse("accounts:password_reset_done"))
    assert page.status_code == HTTPStatus.OK
    assert b"If that address has a SafeContact login" in page.content
