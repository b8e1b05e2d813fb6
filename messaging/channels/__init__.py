"""Channels behind one interface: `backend_for(channel).send(message, rendered)`, and
`send_many([(message, rendered), ...])` for a dispatch batch.

The backend of each channel is the dotted path in `settings.CARTERA_CHANNEL_BACKENDS`.
A backend raises TransientChannelError when trying again later may work (the worker retries
with exponential backoff) and PermanentChannelError when it never will (the message fails).
"""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class ChannelError(Exception):
    transient = False


class TransientChannelError(ChannelError):
    transient = True


class PermanentChannelError(ChannelError):
    transient = False


@dataclass(frozen=True)
class SendResult:
    provider: str
    provider_message_id: str = ""
    # Some backends finish the job on hand-over (the call list): the message is then final.
    delivered: bool = False


class ChannelBackend:
    """Base class: `send` delivers one rendered message or raises a ChannelError."""

    provider = "base"
    # True when the send is a row written in the caller's transaction: sent exactly once.
    transactional = False

    def send(self, message, rendered) -> SendResult:  # pragma: no cover - interface
        raise NotImplementedError

    def concurrency(self) -> int:
        """How many sends `send_many` runs at once: a network provider waits on I/O."""
        return 1

    def send_many(self, items) -> list:
        """Send [(message, rendered), ...]: a SendResult or the ChannelError of each, in order.

        Runs `send` on up to `concurrency()` threads, which touch no database (a backend that
        writes rows in the caller's transaction overrides this instead).
        """

        def one(item):
            try:
                return self.send(*item)
            except ChannelError as exc:
                return exc

        workers = min(self.concurrency(), len(items))
        if workers <= 1:
            return [one(item) for item in items]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=self.provider) as pool:
            return list(pool.map(one, items))

    def prints_to_console(self) -> bool:
        """Whether what it sends shows in the server's console (a demo reads codes there)."""
        return False


@cache
def _backend(path: str) -> ChannelBackend:
    return import_string(path)()


def backend_for(channel: str) -> ChannelBackend:
    """The configured backend instance for a channel."""
    path = settings.CARTERA_CHANNEL_BACKENDS.get(channel)
    if not path:
        raise PermanentChannelError(f"no backend configured for channel {channel!r}")
    return _backend(path)
