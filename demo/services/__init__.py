"""Demo data: a believable collections operation built set-based (see `demo_seed`)."""

from demo.services.seed import (
    DEMO_CREDITORS,
    DEMO_PASSWORD,
    DEMO_USERS,
    DemoSummary,
    demo_database_is_empty,
    demo_seed,
)

__all__ = [
    "DEMO_CREDITORS",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoSummary",
    "demo_database_is_empty",
    "demo_seed",
]
