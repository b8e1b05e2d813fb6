"""Reads shared by the panels of one page.

The debt page is put together from several apps' inclusion tags, each handed the same `debt`
object; a read that two panels need (the debtor's promises, the debt's tasks) is made once and
kept on that object, which lives for one request only.
"""

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def read_once(obj, key: str, read: Callable[[], T]) -> T:
    """`read()` the first time `key` is asked of `obj`, its kept result after that."""
    kept = obj.__dict__.setdefault("_page_reads", {})
    if key not in kept:
        kept[key] = read()
    return kept[key]


def already_read(obj, key: str):
    """What `read_once` kept for `key` on `obj`, or None when nothing read it yet."""
    return obj.__dict__.get("_page_reads", {}).get(key)


def keep(obj, key: str, value) -> None:
    """Keep `value` as what `read_once(obj, key, ...)` returns (a read made beforehand)."""
    obj.__dict__.setdefault("_page_reads", {})[key] = value
