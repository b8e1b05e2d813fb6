"""Channels behind one interface: `backend_for(channel).send(message, rendered)`.

The backend of each channel is the dotted path in `settings.CARTERA_CHANNEL_BACKENDS`.
A backend raises TransientChannelError when trying again later may work (the worker retries
with exponential backoff) and PermanentChannelError when it never will (the message fails).
"""

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
