"""A policy challenger drafted on the create page: a new, not current, version of the
champion's policy with the thresholds the strategist changed.

collections_app.services.policies.policy_version_draft(*, policy, values, user, note) writes
it (another part of issue #22); until it exists the create page offers the existing versions
only (`drafts_available`)."""

from django.utils.translation import gettext as _

from collections_app.services import policies as policy_services
from core.exceptions import ApplicationError


def drafts_available() -> bool:
    return callable(getattr(policy_services, "policy_version_draft", None))


def policy_challenger_draft(*, user, champion_version, thresholds: dict, note: str):
    """A new version of the champion's policy with `thresholds`, not made current."""
    draft = getattr(policy_services, "policy_version_draft", None)
    if draft is None:
        raise ApplicationError(
            _("Drafting a policy version here is not available; pick an existing version."),
            field="arms",
        )
    return draft(policy=champion_version.policy, values=thresholds, user=user, note=note)
