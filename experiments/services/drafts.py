"""Challengers drafted on the create page: a new version of the champion's policy (thresholds)
or of its template (a text), stored but not applied: only the challenger's debtors get it,
until it wins and is promoted."""

from collections_app.services.policies import policy_version_draft
from messaging.services.templates import template_version_create


def policy_challenger_draft(*, user, champion_version, thresholds: dict, note: str):
    """A new version of the champion's policy with `thresholds`, not made current."""
    return policy_version_draft(
        policy=champion_version.policy, values=thresholds, user=user, note=note
    )


def template_challenger_draft(
    *, user, creditor, champion_version, subject: str, body: str, note: str
):
    """A new, inactive version of the champion's template (the creditor's own text) with
    `body`; the text is checked as any template edit is (what the law asks it to state)."""
    return template_version_create(
        template=champion_version.template,
        user=user,
        subject=subject,
        body=body,
        change_note=note,
        creditor=creditor,
        active=False,
    )
