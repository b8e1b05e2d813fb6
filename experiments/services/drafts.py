"""A policy challenger drafted on the create page: a new, not current, version of the
champion's policy with the thresholds the strategist changed."""

from collections_app.services.policies import policy_version_draft


def policy_challenger_draft(*, user, champion_version, thresholds: dict, note: str):
    """A new version of the champion's policy with `thresholds`, not made current."""
    return policy_version_draft(
        policy=champion_version.policy, values=thresholds, user=user, note=note
    )
