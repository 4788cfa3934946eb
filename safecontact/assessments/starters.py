"""Starting hazards and controls for the online activities groups run most.

Written for SafeContact in plain English from the guidance's points on
unsafe contact; the Lead edits the scores and controls for their activity.
Each hazard: (what could happen, who might be harmed, likelihood and impact
before controls, likelihood and impact after, controls).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from safecontact.assessments.models import RiskAssessment


@dataclass(frozen=True, slots=True)
class StarterHazard:
    description: str
    who_harmed: str
    before: tuple[int, int]
    after: tuple[int, int]
    controls: tuple[str, ...]


CHILDREN = "Children and young people in the group"
ADULTS = "Adults at risk taking part"

_SHARED = (
    StarterHazard(
        "An adult who has not been checked, or who no longer volunteers, stays "
        "in the group and can contact members.",
        CHILDREN,
        (3, 5),
        (1, 5),
        (
            "Only cleared workers are admins; SafeContact refuses unchecked adults "
            "and former workers in children's groups.",
            "Check the group's members against the register each term.",
        ),
    ),
    StarterHazard(
        "A worker contacts a member one-to-one, out of sight of others.",
        CHILDREN,
        (3, 4),
        (1, 4),
        (
            "All contact goes through SafeContact, which copies a parent or a "
            "second cleared adult.",
            "Workers agree to the code of conduct before contact.",
        ),
    ),
    StarterHazard(
        "Members share phone numbers, addresses or photos that could be used "
        "to find or control someone.",
        CHILDREN,
        (4, 3),
        (2, 3),
        (
            "Use settings that hide phone numbers and limit who can share.",
            "The group's conduct agreement says what not to share; admins remove it.",
        ),
    ),
)

STARTERS: dict[str, tuple[StarterHazard, ...]] = {
    RiskAssessment.Activity.GROUP_CHAT: (
        *_SHARED,
        StarterHazard(
            "Bullying or harmful content between members of the group.",
            CHILDREN,
            (3, 3),
            (2, 3),
            (
                "A conduct agreement is sent to members when they join.",
                "Two admins watch the group during agreed hours and act on reports.",
            ),
        ),
        StarterHazard(
            "Messages at night blur the line between the organisation's "
            "activities and private life.",
            CHILDREN,
            (3, 2),
            (1, 2),
            (
                "Agreed hours are set for the group; SafeContact defers messages outside them.",
            ),
        ),
    ),
    RiskAssessment.Activity.VIDEO: (
        StarterHazard(
            "Someone uninvited joins the call or stream and sees or contacts children.",
            CHILDREN,
            (3, 4),
            (1, 4),
            (
                "Use a waiting room and a new link for each session; do not post links publicly.",
                "The host admits only people on the register.",
            ),
        ),
        StarterHazard(
            "A worker is alone on a call with one child.",
            CHILDREN,
            (2, 5),
            (1, 5),
            ("Two cleared adults are on every call; a call ends if one has to leave.",),
        ),
        StarterHazard(
            "Children's faces, names or homes are shown in a recording or live "
            "stream without consent.",
            CHILDREN,
            (3, 3),
            (1, 3),
            (
                "Only record or stream with photo consent from parents or carers.",
                "Turn off private chat and screen sharing for participants.",
            ),
        ),
    ),
    RiskAssessment.Activity.GAMING: (
        *_SHARED,
        StarterHazard(
            "Strangers in public lobbies or voice chat contact children.",
            CHILDREN,
            (4, 4),
            (2, 4),
            (
                "Play only in private lobbies or servers the organisation runs.",
                "Check the game's and platform's minimum age against players' ages.",
            ),
        ),
        StarterHazard(
            "Pressure to spend money, trade items or move to another app.",
            CHILDREN,
            (3, 3),
            (2, 3),
            (
                "Parents agree which games and features are used; no trading or gifting.",
            ),
        ),
    ),
    RiskAssessment.Activity.MENTORING: (
        StarterHazard(
            "One-to-one contact loses clear boundaries and becomes personal.",
            ADULTS,
            (3, 4),
            (1, 4),
            (
                "Contact only through SafeContact during agreed hours, with a named "
                "supervisor copied.",
                "The mentor and supervisor meet monthly to review contact.",
            ),
        ),
        StarterHazard(
            "The adult did not really want the contact, or could not decide.",
            ADULTS,
            (2, 4),
            (1, 4),
            (
                "Record the adult's own consent, or who decided and why where they "
                "could not.",
                "Ask the adult regularly if they still want the contact.",
            ),
        ),
        StarterHazard(
            "Financial or emotional exploitation through online contact.",
            ADULTS,
            (2, 5),
            (1, 5),
            ("Mentors never ask for or give money, gifts or personal favours.",),
        ),
    ),
    RiskAssessment.Activity.OTHER: _SHARED,
}


# --- Templates an umbrella body publishes to its members ------------------------

MAX_TEMPLATE_HAZARDS = 50
DEFAULT_SCORE = (3, 3)  # unknown: the Lead sets it before signing off
DEFAULT_WHO = "Members of the group"
_SCORE = re.compile(
    r"(before|after)\s*:\s*([1-5])\s*[x\u00d7*]\s*([1-5])", re.IGNORECASE
)
_WHO = re.compile(r"who might be harmed\s*:\s*", re.IGNORECASE)
_BULLET = re.compile(r"[-*+]\s+")


@dataclass(frozen=True, slots=True)
class UmbrellaStarter:
    """A risk assessment template an umbrella body published, read for use."""

    key: str  # "umbrella-<code>", the form's choice
    title: str
    umbrella: str
    description: str
    hazards: tuple[StarterHazard, ...]


@dataclass
class _Draft:
    description: str
    who: str = DEFAULT_WHO
    scores: dict[str, tuple[int, int]] = field(default_factory=dict)
    controls: list[str] = field(default_factory=list)

    def hazard(self) -> StarterHazard:
        return StarterHazard(
            self.description[:2000],
            self.who[:300],
            self.scores.get("before", DEFAULT_SCORE),
            self.scores.get("after", self.scores.get("before", DEFAULT_SCORE)),
            tuple(self.controls),
        )


def read_template(body: str) -> tuple[str, tuple[StarterHazard, ...]]:
    """The introduction and the hazards of a template's Markdown.

    Each heading starts a hazard (its text says what could happen); under it,
    ``Who might be harmed: ...``, ``Before: 3 x 5`` and ``After: 1 x 5``
    (likelihood x impact) and a list of controls (``- ...``). Anything else
    before the first heading is the introduction; other lines are left out.
    One pass over the lines, so any length reads in linear time.
    """
    intro: list[str] = []
    drafts: list[_Draft] = []
    for raw in body.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            text = line.lstrip("#").strip()
            if text and len(drafts) < MAX_TEMPLATE_HAZARDS:
                drafts.append(_Draft(text))
            continue
        if not drafts:
            intro.append(raw)
        elif who := _WHO.match(line):
            drafts[-1].who = line[who.end() :].strip() or DEFAULT_WHO
        elif score := _SCORE.fullmatch(line):
            when, likelihood, impact = score.groups()
            drafts[-1].scores[when.lower()] = (int(likelihood), int(impact))
        elif bullet := _BULLET.match(line):
            drafts[-1].controls.append(line[bullet.end() :].strip()[:2000])
    return "\n".join(intro).strip(), tuple(draft.hazard() for draft in drafts)


def umbrella_starters(organisation: Any) -> dict[str, UmbrellaStarter]:
    """Risk assessment templates from the umbrella body ``organisation``
    belongs to, by form choice (1 query)."""
    from safecontact.dashboard.models import UmbrellaTemplate

    found = UmbrellaTemplate.objects.for_member(
        organisation, UmbrellaTemplate.Kind.RISK_ASSESSMENT
    )
    starters = {}
    for template in found:
        description, hazards = read_template(template.body)
        key = f"umbrella-{template.code}"
        starters[key] = UmbrellaStarter(
            key, template.title, template.umbrella.name, description, hazards
        )
    return starters
