import pytest

from safecontact.accounts import services

pytestmark = pytest.mark.django_db


def test_a_new_organisation_gets_an_unguessable_report_token():
    one = services.create_organisation(name="St Anne's")
    two = services.create_organisation(name="St Bede's")
    assert len(one.report_token) == 32
    assert one.report_token != two.report_token
