"""Collector tasks: created by people or, idempotently (by source key), by the system."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.reasons import reason_split
from portfolio.models import Debt, Task


def task_create(
    *,
    debt: Debt,
    kind: str,
    title,
    due_at: datetime.datetime,
    assigned_to=None,
    note="",
    created_by=None,
    source_key: str | None = None,
) -> tuple[Task, bool]:
    """Create a task (idempotent when `source_key` is given); returns (task, created).

    `title` and `note` are text a person typed or a core.reasons.Reason (stored as its code
    and params, shown in the viewer's language)."""
    if kind not in Task.Kind.values:
        raise ApplicationError(_("Unknown task kind %(kind)s.") % {"kind": kind}, field="kind")
    title_code, title_params, _text = reason_split(title)
    note_code, note_params, _text = reason_split(note)
    title = str(title or "").strip()
    if not title:
        raise ApplicationError(_("A task needs a title."), field="title")
    if timezone.is_naive(due_at):
        raise ApplicationError(_("The due time must include a time zone."), field="due_at")
    if source_key:
        existing = Task.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing, False
    task = Task(
        debt=debt,
        kind=kind,
        title=title[:200],
        title_code=title_code,
        title_params=title_params,
        due_at=due_at,
        assigned_to=assigned_to if assigned_to is not None else debt.assigned_to,
        note=str(note or ""),
        note_code=note_code,
        note_params=note_params,
        created_by=created_by,
        source_key=source_key or None,
    )
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        existing = Task.objects.filter(source_key=source_key).first() if source_key else None
        if existing is None:
            raise
        return existing, False
    return task, True


def task_texts(*, title, note="") -> dict:
    """Task fields for a title and note that are Reasons (or text): Task(**task_texts(...))."""
    title_code, title_params, _text = reason_split(title)
    note_code, note_params, _text = reason_split(note)
    return {
        "title": str(title or "")[:200],
        "title_code": title_code,
        "title_params": title_params,
        "note": str(note or ""),
        "note_code": note_code,
        "note_params": note_params,
    }


def tasks_bulk_create(tasks: list[Task]) -> int:
    """Insert system tasks at once; rows whose source key exists already are skipped."""
    if not tasks:
        return 0
    keys = [t.source_key for t in tasks]
    before = Task.objects.filter(source_key__any=keys).count()
    Task.objects.bulk_create(tasks, ignore_conflicts=True)
    return Task.objects.filter(source_key__any=keys).count() - before


@transaction.atomic
def task_complete(*, task: Task, user) -> Task:
    """Mark a task done."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != Task.Status.OPEN:
        raise ApplicationError(_("This task is not open."))
    task.status = Task.Status.DONE
    task.done_at = timezone.now()
    task.save(update_fields=["status", "done_at"])
    return task
