"""The sandbox: records what would be sent, once per message (demos, tests, benchmarks)."""

import logging
import time

from django.conf import settings
from django.db import connection

from messaging.channels import (
    ChannelBackend,
    ChannelError,
    PermanentChannelError,
    SendResult,
    TransientChannelError,
)
from messaging.models import SandboxDelivery

logger = logging.getLogger(__name__)

# Recipients that make the sandbox fail on purpose, to exercise retries and failures.
FAIL_TRANSIENT = "fail-transient"
FAIL_PERMANENT = "fail-permanent"


def sandbox_live() -> bool:
    """Whether a channel uses the sandbox here (never in production: config/checks.py).

    Its callback endpoint is served only then: events signed with the sandbox's secret would
    otherwise let anyone who learns it mark messages delivered or revoke a debtor's consent.
    """
    path = f"{SandboxBackend.__module__}.{SandboxBackend.__qualname__}"
    return bool(settings.CARTERA_SANDBOX_WEBHOOK_SECRET) and path in (
        settings.CARTERA_CHANNEL_BACKENDS.values()
    )


class SandboxBackend(ChannelBackend):
    provider = "sandbox"
    transactional = True

    def prints_to_console(self) -> bool:
        return logger.isEnabledFor(logging.INFO)

    def send(self, message, rendered) -> SendResult:
        [result] = self.send_many([(message, rendered)])
        if isinstance(result, ChannelError):
            raise result
        return result

    def send_many(self, items) -> list:
        """Record a batch's deliveries with one INSERT, in the caller's transaction."""
        delay = float(getattr(settings, "CARTERA_SANDBOX_DELAY_SECONDS", 0) or 0)
        results: list = [None] * len(items)
        rows = []
        for index, (message, rendered) in enumerate(items):
            if delay:
                time.sleep(delay)  # the kill test needs a batch that takes a while
            if message.to.startswith(FAIL_TRANSIENT):
                results[index] = TransientChannelError("sandbox: simulated provider outage")
            elif message.to.startswith(FAIL_PERMANENT):
                results[index] = PermanentChannelError("sandbox: simulated invalid recipient")
            else:
                rows.append((index, message, rendered))
        if not rows:
            return results
        table = SandboxDelivery._meta.db_table
        params = []
        for _index, message, rendered in rows:
            params += [message.id, message.idempotency_key, message.channel, message.to,
                       rendered.subject[:255], rendered.body]  # fmt: skip
        # Same transaction as the messages' status change: both commit or neither does. A
        # second committed send of the same message would show up as sends = 2.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {table}
                    (message_id, idempotency_key, channel, "to", subject, body, sends,
                     recorded_at)
                VALUES {", ".join(["(%s, %s, %s, %s, %s, %s, 1, CURRENT_TIMESTAMP)"] * len(rows))}
                ON CONFLICT (idempotency_key) DO UPDATE SET sends = {table}.sends + 1
                RETURNING idempotency_key, id
                """,
                params,
            )
            row_ids = dict(cursor.fetchall())
        console = logger.isEnabledFor(logging.INFO)
        for index, message, rendered in rows:
            # What a phone would show, on the console (like Django's console e-mail backend):
            # in `make run` the portal's one-time codes are read there. Never in production,
            # which refuses the sandbox (config/checks.py).
            if console:
                logger.info(
                    "sandbox %s to %s: %s",
                    message.channel,
                    message.to,
                    " ".join(rendered.body.split()),
                )
            results[index] = SendResult(
                provider=self.provider,
                provider_message_id=f"sandbox-{row_ids[message.idempotency_key]}",
            )
        return results
