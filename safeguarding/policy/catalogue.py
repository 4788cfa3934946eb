"""Every rule the engine applies: its id, what it is for, how to fix it.

The guidance lines paraphrase the published safeguarding guidance on online
contact in our own words; docs/policy.md explains each rule in full.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    guidance: str
    fix: str


_RULES = (
    Rule(
        "sender.active",
        "Only current workers send",
        "Contact is part of the organisation's work, so only people who work "
        "for it now take part; those who have left are removed.",
        "Send from an active worker's account, or record the worker's start date.",
    ),
    Rule(
        "sender.cleared_children",
        "Sender cleared to contact children",
        "Workers in contact with children need current vetting and "
        "safeguarding training, and accountability for that contact.",
        "Ask the Safeguarding Lead to bring the worker's DBS check and "
        "training up to date, or ask a cleared worker to send it.",
    ),
    Rule(
        "sender.cleared_adults",
        "Sender cleared to contact adults at risk",
        "Workers in contact with adults at risk need current vetting and "
        "safeguarding training, and accountability for that contact.",
        "Ask the Safeguarding Lead to bring the worker's DBS check and "
        "training up to date, or ask a cleared worker to send it.",
    ),
    Rule(
        "sender.code_of_conduct",
        "Code of conduct acknowledged",
        "Workers are given guidance and held accountable for online contact; "
        "where the organisation makes its code of conduct binding, nobody "
        "contacts children or adults at risk before agreeing to it.",
        "Open Policies, read the code of conduct and confirm you have read it.",
    ),
    Rule(
        "channel.organisation_account",
        "Organisation accounts only",
        "Workers contact children and adults at risk through the "
        "organisation's accounts, not their personal ones.",
        "Send from the organisation's email, app or group account: set the "
        "organisation's own from-address, or move the group to an account the "
        "organisation holds.",
    ),
    Rule(
        "platform.approved",
        "Approved platforms only",
        "Any platform or messaging service used for contact should be one "
        "the organisation has checked is suitable.",
        "Use a platform the organisation has approved, or ask the Lead to "
        "review and approve this one.",
    ),
    Rule(
        "platform.minimum_age",
        "Platform suits the recipient's age",
        "Platforms used with children must be appropriate for their age; "
        "nobody is contacted on a service they are too young to use.",
        "Contact them by email or in the app, or in a group on a platform that "
        "suits their age; record their date of birth if it is missing.",
    ),
    Rule(
        "platform.consented",
        "Consent covers this platform",
        "Consent sets clear boundaries, including which apps and websites "
        "contact may use.",
        "Contact them another way the consent covers, or in a group on a "
        "platform it covers, or ask the parent or adult to add this platform "
        "to their consent.",
    ),
    Rule(
        "consent.current",
        "Current consent",
        "A parent or carer agrees to online contact with their child, and an "
        "adult at risk agrees that they want contact, before it happens.",
        "Record current consent: a parent/carer's for a child, the adult's "
        "own for an adult at risk.",
    ),
    Rule(
        "consent.channel",
        "Consent covers this way of contacting",
        "Consent sets clear boundaries, including how contact happens.",
        "Use a channel the consent covers, or ask for consent to this one.",
    ),
    Rule(
        "consent.purpose",
        "Consent covers this purpose",
        "Every contact has a clear purpose that the person (or their parent) "
        "agreed to.",
        "Choose a purpose the consent covers, or ask for consent to it.",
    ),
    Rule(
        "consent.sender",
        "Consent covers this sender",
        "Consent says who may make contact, so it stays accountable.",
        "Ask a worker or role named in the consent to send it, or update the consent.",
    ),
    Rule(
        "consent.group",
        "Consent covers this group",
        "People join group messages only with agreement to that group.",
        "Ask for consent to this group, or remove the person from it.",
    ),
    Rule(
        "adult.capacity",
        "Capacity considered",
        "An adult at risk's capacity to agree to online contact is thought "
        "about, and any support or best-interests decision is recorded.",
        "Record how capacity was considered and, for supported or "
        "best-interests decisions, who made them.",
    ),
    Rule(
        "child.no_one_to_one",
        "No one-to-one contact with a child",
        "Avoid being alone online with a child just as you would in a room: "
        "another responsible adult can see the contact.",
        "Record a parent/carer who can be copied in, or name cleared second "
        "adults in the organisation's settings.",
    ),
    Rule(
        "adult.one_to_one_transparent",
        "One-to-one contact with an adult at risk is visible",
        "One-to-one contact with an adult at risk keeps clear boundaries and "
        "is open to the Safeguarding Lead.",
        "Nothing to do: the Lead is told and any named supervisor copied.",
    ),
    Rule(
        "access.supporter_copied",
        "A named supporter is copied in",
        "Contact with an adult at risk is something they want, on their terms: "
        "attention to their accessibility needs includes the support of someone "
        "they trust.",
        "Nothing to do: the supporter gets a copy. The Lead or the person can "
        "change who it is.",
    ),
    Rule(
        "hours.agreed",
        "Within agreed hours",
        "Contact happens during agreed hours, so it is plainly part of the "
        "organisation's activities.",
        "Let it wait for the next agreed time, or agree different hours.",
    ),
    Rule(
        "hours.none_agreed",
        "Hours agreed",
        "Contact happens during agreed hours, so hours must have been agreed.",
        "Record agreed hours on the consent or as the organisation's default.",
    ),
    Rule(
        "hours.urgent_override",
        "Urgent contact outside agreed hours",
        "Contact outside agreed hours is the exception, explained and open to "
        "the Safeguarding Lead.",
        "Say why it cannot wait; the Lead is told.",
    ),
    Rule(
        "purpose.required",
        "A stated purpose",
        "Online contact happens only when it is needed and has a clear purpose.",
        "Choose the purpose of this message.",
    ),
    Rule(
        "purpose.fits_group",
        "Purpose fits the group",
        "Everyone shares an understanding of what a group is for; messages keep to it.",
        "Send it somewhere that suits the purpose, or pick the group's purpose.",
    ),
    Rule(
        "email.bcc",
        "Hide addresses in group email",
        "Limit sharing of personal data: blind copy group emails so nobody "
        "sees anyone else's address.",
        "Nothing to do: recipients are put in bcc.",
    ),
    Rule(
        "group.uncleared_adult",
        "No unchecked adults in the group",
        "Groups with children do not include adults without checks, such as "
        "other parents.",
        "Complete their checks before they join, or remove the unchecked adult "
        "from the group.",
    ),
    Rule(
        "group.age_range",
        "Within the group's age range",
        "Groups with children are planned for an age range: children can be "
        "exposed to harm from other children in group chats, so who joins is "
        "a considered decision.",
        "Choose a group for their age, change the group's age range, or give "
        "the Safeguarding Lead's reason for the exception.",
    ),
    Rule(
        "group.ex_worker",
        "No former workers in the group",
        "Groups are kept to current members: people who no longer volunteer "
        "or work are removed.",
        "Remove the former worker from the group; people who have left are "
        "not added to groups.",
    ),
    Rule(
        "gateway.reachable",
        "Somewhere to reach them",
        "Contact goes only through the organisation's own channels, to "
        "addresses the organisation holds.",
        "Ask the Safeguarding Lead to add an email address or a SafeContact "
        "login for this person, or choose another channel.",
    ),
    Rule(
        "content.hold",
        "Content needs a second look",
        "Talk to the Safeguarding Lead about anything inappropriate or unsafe, "
        "so the organisation can act before harm happens.",
        "Wait for the Safeguarding Lead to review the message, or rewrite it.",
    ),
    Rule(
        "reply.no_one_to_one",
        "A child's reply is not one-to-one",
        "Avoid being alone online with a child just as you would in a room: "
        "replies from a child are seen by another responsible adult too.",
        "Record a parent/carer with an email address who can be copied in, or "
        "name cleared second adults in the organisation's settings.",
    ),
    Rule(
        "reply.visible",
        "Replies from children and adults at risk are visible",
        "Contact with children and adults at risk stays open to the "
        "Safeguarding Lead, in both directions.",
        "Nothing to do: the Lead is shown the reply.",
    ),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
