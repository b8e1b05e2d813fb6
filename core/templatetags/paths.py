"""Path helpers for templates (the menus mark the section a page belongs to)."""

from django import template

register = template.Library()


@register.filter
def startswith(path: str, prefix: str | None) -> bool:
    """Whether `path` lies under `prefix` (a reversed URL); False when there is no prefix."""
    return bool(prefix) and str(path).startswith(str(prefix))
