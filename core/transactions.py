"""Transactions that PostgreSQL may abort under contention, run again from the start.

PostgreSQL ends one of two transactions that wait on each other (deadlock_detected, 40P01) and
may refuse a transaction it cannot serialise (serialization_failure, 40001). Either way nothing
of it was written, so running the whole unit again is safe; the services that use this are
idempotent by their keys (a payment's reference, a webhook's event id), so a retry that finds
its work already done by a concurrent writer returns that work instead of doing it twice.
"""

import functools
import logging
import random
import time

from django.db import OperationalError, transaction

logger = logging.getLogger(__name__)

# SQLSTATEs after which the same transaction may succeed when run again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 5


def is_retryable(exc: BaseException) -> bool:
    """True for a deadlock victim or a serialisation failure (the driver's error carries it)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if getattr(exc, "pgcode", None) in RETRYABLE_SQLSTATES:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def atomic_with_retry(func=None, *, attempts: int = ATTEMPTS, using=None):
    """Like `transaction.atomic`, and the outermost call retries a deadlock/serialisation loss.

    Inside a caller's transaction it is a plain savepoint: PostgreSQL aborted the caller's whole
    transaction, so only the caller's outermost unit can run it again (it should use this too).
    """

    def decorate(inner):
        @functools.wraps(inner)
        def wrapper(*args, **kwargs):
            if transaction.get_connection(using).in_atomic_block:
                with transaction.atomic(using=using):
                    return inner(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic(using=using):
                        return inner(*args, **kwargs)
                except OperationalError as exc:
                    if attempt == attempts or not is_retryable(exc):
                        raise
                    logger.warning(
                        "%s: transaction lost to a concurrent one (%s); attempt %d of %d",
                        inner.__qualname__,
                        str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                        attempt + 1,
                        attempts,
                    )
                    # Jittered backoff, so the transactions that collided do not meet again.
                    time.sleep(random.uniform(0, 0.02 * 2**attempt))

        return wrapper

    return decorate(func) if func is not None else decorate
