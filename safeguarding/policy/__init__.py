"""Rules from the guidance: who may contact whom, how and when.

Build the inputs from the register, call :func:`decide`, and act on the
:class:`Decision`: every reason carries its rule id, a plain sentence, the
guidance point it implements and how to put it right.
"""

from safeguarding.policy.catalogue import RULES, Rule
from safeguarding.policy.clearance import (
    Clearance,
    DbsLevel,
    WorkerFacts,
    Workforce,
    add_years,
    clearance,
    earliest_certificate,
    renewal_date,
)
from safeguarding.policy.consent import (
    ConsentState,
    consent_fits_group,
    consent_state,
)
from safeguarding.policy.decision import Change, ChangeKind, Decision, Outcome, Reason
from safeguarding.policy.engine import decide
from safeguarding.policy.hours import group_hours, local_day, next_start, within
from safeguarding.policy.inputs import (
    AgreedHours,
    Audience,
    Capacity,
    Channel,
    Consent,
    ConsentKind,
    CopyPolicy,
    GroupInfo,
    MessageRequest,
    OrgRules,
    OutsideHours,
    PersonKind,
    Platform,
    PolicyError,
    Purpose,
    Recipient,
    Sender,
    Window,
)
from safeguarding.policy.membership import (
    Candidate,
    MembershipRequest,
    decide_membership,
)
from safeguarding.policy.people import (
    ADULT_AGE,
    age_on,
    born_on_or_before,
    effective_kind,
)

__all__ = [
    "ADULT_AGE",
    "RULES",
    "AgreedHours",
    "Audience",
    "Candidate",
    "Capacity",
    "Change",
    "ChangeKind",
    "Channel",
    "Clearance",
    "Consent",
    "ConsentKind",
    "ConsentState",
    "CopyPolicy",
    "DbsLevel",
    "Decision",
    "GroupInfo",
    "MembershipRequest",
    "MessageRequest",
    "OrgRules",
    "Outcome",
    "OutsideHours",
    "PersonKind",
    "Platform",
    "PolicyError",
    "Purpose",
    "Reason",
    "Recipient",
    "Rule",
    "Sender",
    "Window",
    "WorkerFacts",
    "Workforce",
    "add_years",
    "age_on",
    "born_on_or_before",
    "clearance",
    "consent_fits_group",
    "consent_state",
    "decide",
    "decide_membership",
    "earliest_certificate",
    "effective_kind",
    "group_hours",
    "local_day",
    "next_start",
    "renewal_date",
    "within",
]
