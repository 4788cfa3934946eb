"""A demonstration case for ``load_demo``: synthetic, and safe to load twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from safecontact.accounts.models import Organisation, User
from safecontact.concerns import services
from safecontact.concerns.models import Case

DEMO_REFERENCE = "SC-DEMO-0001"


@transaction.atomic
def load(*, organisation: Organisation) -> Case:
    """Add (once) a triaged demo case with a chronology entry and a CEOP referral."""
    existing = Case.objects.filter(reference=DEMO_REFERENCE).first()
    if existing is not None:
        return existing
    case = services.report_concern(
        actor=None,
        organisation=organisation,
        report=services.ConcernReport(
            narrative=(
                "Demo: an account called 'skater_jay' on the youth group's game "
                "server asked a member for photos and to keep it secret."
            ),
            about=Case.About.OUTSIDE,
            about_description="Username skater_jay (demo)",
            anonymous=True,
            reporter_relation="child",
        ),
        source=Case.Source.PUBLIC,
        form=Case.Form.CHILD,
    )
    Case.objects.filter(pk=case.pk).update(reference=DEMO_REFERENCE)
    case.refresh_from_db()
    lead = User.objects.filter(organisation=organisation, role=User.Role.LEAD).first()
    if lead is not None:
        _work(case, lead)
    return case


def _work(case: Case, lead: User) -> None:
    services.triage_case(
        actor=lead,
        case=case,
        category=Case.Category.GROOMING,
        risk=Case.Risk.HIGH,
        about=Case.About.OUTSIDE,
        about_user=None,
    )
    services.add_chronology_entry(
        actor=lead, case=case, text="Demo: spoke to the member's parent by phone."
    )
    services.record_referral(
        actor=lead,
        case=case,
        agency="ceop",
        made_on=timezone.localdate() - datetime.timedelta(days=1),
        reference_number="DEMO-CEOP-1",
    )
