"""load_demo builds a useful demo organisation, and running it again changes nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.audittrail.models import AuditEntry
from safecontact.groups.models import Group, GroupMember, Platform
from safecontact.people.models import Consent, Person, Relationship, VettingCheck
from safecontact.people.selectors.attention import attention_items

pytestmark = pytest.mark.django_db

MODELS = (Organisation, User, Person, Relationship, VettingCheck, Consent, Platform,
          Group, GroupMember)  # fmt: skip


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def _register_entries():
    # Other apps' demo hooks may log their own records; the register's stay put.
    return AuditEntry.objects.filter(model__startswith="people.").count()


def test_load_demo_twice_adds_nothing_the_second_time():
    out = StringIO()
    call_command("load_demo", stdout=out)
    first, entries = counts(), _register_entries()
    call_command("load_demo", stdout=StringIO())
    assert counts() == first and _register_entries() == entries
    text = out.getvalue()
    assert (
        "http://127.0.0.1:8000" in text and "lead" in text and "st-marys-demo" in text
    )
    assert "two-factor" in text


def test_the_demo_shows_every_kind_of_problem_on_the_attention_list():
    call_command("load_demo", stdout=StringIO())
    org = Organisation.objects.get(name="St Mary's Community Church")
    found = {i.category for i in attention_items(org, timezone.localdate())}
    assert found >= {"vetting", "training", "consent", "ex_worker", "unchecked_adult",
                     "under_age", "platform"}  # fmt: skip


def test_the_demo_logins_have_their_roles_and_the_worker_a_register_record():
    call_command("load_demo", stdout=StringIO())
    roles = dict(User.objects.values_list("username", "role"))
    assert {k: roles[k] for k in ("lead", "deputy", "trustee", "worker")} == {
        "lead": "lead", "deputy": "deputy", "trustee": "trustee", "worker": "worker",
    }  # fmt: skip
    assert Person.objects.get(user__username="worker").first_name == "Sam"
