"""Extension points: how a lower app lets higher apps contribute without importing them.

A lower app defines a `Hook` at module level (`debt_panels = Hook("portfolio.debt_panels")`);
a higher app registers into it from its `AppConfig.ready()`. The lower app calls what is
registered and never names the higher app, so the layers (docs/architecture.md) hold.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class _Entry:
    order: int
    key: str
    fn: Callable = field(compare=False)


class Hook:
    """An ordered set of registered callables, keyed so a second registration replaces the first."""

    def __init__(self, name: str, *, default: Callable | None = None):
        self.name = name
        self.default = default
        self._entries: dict[str, _Entry] = {}

    def register(self, fn: Callable, *, key: str | None = None, order: int = 100) -> Callable:
        """Add `fn` (idempotent per key: ready() may run more than once in tests)."""
        key = key or f"{fn.__module__}.{fn.__qualname__}"
        self._entries[key] = _Entry(order, key, fn)
        return fn

    def __iter__(self) -> Iterator[Callable]:
        return (entry.fn for entry in sorted(self._entries.values()))

    def items(self) -> Iterator[tuple[str, Callable]]:
        """(key, function) of every registration, in order."""
        return ((entry.key, entry.fn) for entry in sorted(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def call_all(self, *args, **kwargs) -> list[Any]:
        """Call every registered function in order; their results, in the same order."""
        return [fn(*args, **kwargs) for fn in self]

    def call_one(self, *args, **kwargs) -> Any:
        """Call the single provider (the last registered wins), or the default."""
        entries = sorted(self._entries.values())
        fn = entries[-1].fn if entries else self.default
        if fn is None:
            raise LookupError(f"Nothing is registered for the hook {self.name}.")
        return fn(*args, **kwargs)
