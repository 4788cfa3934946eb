import pytest

from safecontact.concerns import demo
from safecontact.concerns.models import Case

pytestmark = pytest.mark.django_db


def test_the_demo_case_loads_once(org, lead):
    first = demo.load(organisation=org)
    again = demo.load(organisation=org)
    assert first.pk == again.pk and Case.objects.count() == 1
    assert first.status == "open" and first.referrals.get().agency == "ceop"
