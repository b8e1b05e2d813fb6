"""DRF endpoints of collections_app: `escalation` (transitions, holds, disputes), `workspace`
(interactions) and `payments`."""
