"""The indicator taxonomy: what each finding means and what to do about it.

Each entry is written for a Safeguarding Lead, in our own words, and names the
published research it rests on (full references in ``docs/screening.md``).
The Django side reads this registry to show titles and explanations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from safeguarding.screening.errors import ScreeningError
from safeguarding.screening.findings import Severity

_REPORT = (
    "Talk to your Safeguarding Lead today. If a child may be at risk, do not "
    "confront the sender; keep the messages and consider a CEOP report."
)
_REVIEW = "Review the conversation and talk to your Safeguarding Lead."
_PII = (
    "Check whether sharing this was necessary; ask for it to be removed from "
    "group chats and remind the group not to share contact details."
)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One kind of finding, with the words shown to a Lead."""

    id: str
    title: str
    severity: Severity
    explanation: str
    next_step: str
    source: str  # short citation; full reference in docs/screening.md
    family: str = ""  # "grooming", "peer", "wellbeing", "pii" or "evasion"

    def __post_init__(self) -> None:
        object.__setattr__(self, "family", self.id.split(".", 1)[0])


def _ind(
    id: str,
    title: str,
    severity: Severity,
    explanation: str,
    next_step: str,
    source: str,
) -> Indicator:
    return Indicator(id, title, severity, explanation, next_step, source)


_ALL = (
    _ind(
        "grooming.flattery",
        "Flattery and trust-building",
        Severity.LOW,
        "Compliments on looks or maturity are how many groomers open a "
        "relationship and make a child feel special.",
        _REVIEW,
        "O'Connell 2003 (friendship and relationship forming); "
        "Lorenzo-Dus et al. 2016 (compliments)",
    ),
    _ind(
        "grooming.secrecy",
        "Asking for secrecy",
        Severity.HIGH,
        "Asking a child to keep the contact secret or to delete messages cuts "
        "them off from the adults who would protect them.",
        _REPORT,
        "O'Connell 2003 (exclusivity, damage limitation); McGhee et al. 2011",
    ),
    _ind(
        "grooming.isolation",
        "Isolation and one-to-one contact",
        Severity.MEDIUM,
        "Checking whether a child is alone, or pulling them into one-to-one "
        "contact away from others, is how abusers test the risk of being seen.",
        _REVIEW,
        "O'Connell 2003 (risk assessment, exclusivity); Whittle et al. 2013",
    ),
    _ind(
        "grooming.platform_move",
        "Moving to another app or private channel",
        Severity.MEDIUM,
        "Moving a conversation to a private app or direct messages takes it out "
        "of sight of the organisation and parents.",
        _REVIEW,
        "Kloess et al. 2017; Lorenzo-Dus et al. 2016 (isolation)",
    ),
    _ind(
        "grooming.probing",
        "Probing age, relationships or parents' routines",
        Severity.MEDIUM,
        "Questions about age, boyfriends or girlfriends, and when parents are "
        "out let an offender judge how vulnerable and unsupervised a child is.",
        _REVIEW,
        "O'Connell 2003 (risk assessment); McGhee et al. 2011 (personal information)",
    ),
    _ind(
        "grooming.image_request",
        "Asking for photos or video",
        Severity.HIGH,
        "Requests for pictures or a webcam often escalate to sexual images that "
        "are then used to control the child.",
        _REPORT,
        "Kloess et al. 2017; Whittle et al. 2013",
    ),
    _ind(
        "grooming.gifts",
        "Gifts, money or favours",
        Severity.MEDIUM,
        "Offering gifts, phone credit or money creates a sense of debt that is "
        "later used to pressure the child.",
        _REVIEW,
        "Whittle et al. 2013; NSPCC grooming guidance",
    ),
    _ind(
        "grooming.meeting",
        "Arranging to meet or asking where they live",
        Severity.HIGH,
        "Arranging a meeting, offering a lift or asking where a child lives is "
        "the step from online contact to physical risk.",
        _REPORT,
        "O'Connell 2003; McGhee et al. 2011 (approach)",
    ),
    _ind(
        "grooming.sexual",
        "Sexual content",
        Severity.HIGH,
        "Sexual talk with a child is abuse in itself and is often used to "
        "desensitise them to what comes next.",
        _REPORT,
        "O'Connell 2003 (sexual stage); Lorenzo-Dus et al. 2016 "
        "(desensitisation); Kloess et al. 2017",
    ),
    _ind(
        "grooming.coercion",
        "Pressure, threats or control",
        Severity.HIGH,
        "Threatening to share images, guilt-tripping or demanding obedience is "
        "coercive control and can be sextortion.",
        _REPORT,
        "Lorenzo-Dus et al. 2016 (reverse psychology); Kloess et al. 2017",
    ),
    _ind(
        "peer.bullying",
        "Bullying or exclusion",
        Severity.MEDIUM,
        "Insults and exclusion in group chats hurt, spread quickly and are "
        "hard for a child to escape at home.",
        "Talk to the children involved and their parents; follow your "
        "anti-bullying procedure.",
        "Smith et al. 2008 (cyberbullying)",
    ),
    _ind(
        "peer.threat",
        "Threats of violence",
        Severity.HIGH,
        "A threat to hurt someone must be taken seriously even when it may be a joke.",
        _REPORT,
        "Smith et al. 2008 (cyberbullying)",
    ),
    _ind(
        "peer.image_sharing",
        "Sharing someone else's images",
        Severity.HIGH,
        "Passing on intimate or private images of someone else is abuse and, "
        "for under-18s, a crime; it must be stopped and reported.",
        _REPORT,
        "UKCIS 2024 (sharing nudes and semi-nudes)",
    ),
    _ind(
        "wellbeing.self_harm",
        "Signs of self-harm or suicidal thoughts",
        Severity.HIGH,
        "Talk of self-harm or wanting to die needs a caring response from a "
        "trained adult the same day.",
        "Contact the person and the Safeguarding Lead today; if life is at "
        "risk, call 999.",
        "NICE NG225 (self-harm)",
    ),
    _ind(
        "pii.phone",
        "Phone number",
        Severity.MEDIUM,
        "A phone number lets anyone in the chat contact this person privately, "
        "outside the organisation's oversight.",
        _PII,
        "Thirtyone:eight guidance on personal data sharing",
    ),
    _ind(
        "pii.email",
        "Email address",
        Severity.MEDIUM,
        "A personal email address opens private contact outside the group.",
        _PII,
        "Thirtyone:eight guidance on personal data sharing",
    ),
    _ind(
        "pii.address",
        "Postal address",
        Severity.MEDIUM,
        "A home address tells others where someone can be found.",
        _PII,
        "Thirtyone:eight guidance on personal data sharing",
    ),
    _ind(
        "pii.postcode",
        "Postcode",
        Severity.MEDIUM,
        "A postcode narrows down where someone lives to a few streets.",
        _PII,
        "Thirtyone:eight guidance on personal data sharing",
    ),
    _ind(
        "pii.handle",
        "Social-media handle",
        Severity.LOW,
        "A username on another platform invites private contact out of sight.",
        _PII,
        "Kloess et al. 2017 (moving platforms)",
    ),
    _ind(
        "pii.private_link",
        "Link to a private chat or call",
        Severity.MEDIUM,
        "An invitation link lets people join a private group or call that the "
        "organisation cannot see.",
        _PII,
        "Thirtyone:eight guidance on group chats",
    ),
    _ind(
        "pii.school",
        "School name",
        Severity.MEDIUM,
        "Naming a child's school tells others where to find them every day.",
        _PII,
        "Thirtyone:eight guidance on personal data sharing",
    ),
    _ind(
        "pii.bank",
        "Bank or card details",
        Severity.HIGH,
        "Bank or card details can be used for fraud or to pay someone in secret.",
        "Ask for the message to be deleted and check whether money is changing "
        "hands; talk to your Safeguarding Lead.",
        "Thirtyone:eight guidance on personal data sharing",
    ),
    _ind(
        "evasion.hidden_characters",
        "Hidden characters",
        Severity.MEDIUM,
        "The message has invisible characters inside its words, or marks that "
        "make text read backwards. People use them to get words past checks "
        "like this one; ordinary typing never puts them there.",
        "Read the message as it would look with the hidden characters taken "
        "out (the other findings show it) and talk to your Safeguarding Lead.",
        "Unicode Technical Standard #39 (security mechanisms); Boucher and "
        "Anderson 2021 (Trojan Source)",
    ),
)

INDICATORS: Mapping[str, Indicator] = MappingProxyType({i.id: i for i in _ALL})


def get_indicator(indicator_id: str) -> Indicator:
    """The registry entry for an id; raises ``ScreeningError`` if unknown."""
    try:
        return INDICATORS[indicator_id]
    except KeyError:
        raise ScreeningError(f"unknown indicator {indicator_id!r}") from None
