"""Collector tasks: created by people or, idempotently (by source key), by the system."""

import datetime
import json

from django.db import IntegrityError, connection, transaction
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


def system_tasks_insert(*, kind: str, due_at: datetime.datetime, tasks) -> int:
    """Insert system tasks of one kind, all due at `due_at`, in one statement; a task whose
    source key exists already is skipped. Returns how many were new.

    `tasks`: (debt id, assignee id or None, title, note, source key) tuples, title and note
    stored as `task_texts` stores them (a Reason: its code and params, and its text in the
    active language). What the daily cycle's agreements step writes by the ten thousand: one
    ORM object per task cost it 1.4 s at 1M debts."""
    if kind not in Task.Kind.values:
        raise ValueError(f"unknown task kind {kind!r}")
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be aware")
    columns: dict[str, list] = {name: [] for name in _TASK_ARRAYS}
    for debt_id, assigned_to_id, title, note, source_key in tasks:
        texts = task_texts(title=title, note=note)
        if not texts["title"].strip() or not source_key:
            raise ValueError("a system task needs a title and a source key")
        for name, value in (
            ("debt_id", debt_id),
            ("assigned_to_id", assigned_to_id),
            ("title", texts["title"]),
            ("title_code", texts["title_code"]),
            ("title_params", json.dumps(texts["title_params"])),
            ("note", texts["note"]),
            ("note_code", texts["note_code"]),
            ("note_params", json.dumps(texts["note_params"])),
            ("source_key", source_key),
        ):
            columns[name].append(value)
    if not columns["debt_id"]:
        return 0
    arrays = ", ".join(f"%({name})s::{sql_type}[]" for name, sql_type in _TASK_ARRAYS.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Task._meta.db_table} (debt_id, assigned_to_id, kind, due_at, status,
                title, title_code, title_params, note, note_code, note_params, created_by_id,
                created_at, done_at, source_key)
            SELECT t.debt_id, t.assigned_to_id, %(kind)s, %(due_at)s, %(open)s, t.title,
                   t.title_code, t.title_params::jsonb, t.note, t.note_code,
                   t.note_params::jsonb, NULL, %(now)s, NULL, t.source_key
              FROM unnest({arrays}) AS t({", ".join(_TASK_ARRAYS)})
            ON CONFLICT (source_key) DO NOTHING
            """,
            {
                **columns,
                "kind": kind,
                "due_at": due_at,
                "open": Task.Status.OPEN,
                "now": timezone.now(),
            },
        )
        return cursor.rowcount


# The per-task columns `system_tasks_insert` sends, as arrays of these types.
_TASK_ARRAYS = {
    "debt_id": "bigint",
    "assigned_to_id": "integer",
    "title": "text",
    "title_code": "text",
    "title_params": "text",
    "note": "text",
    "note_code": "text",
    "note_params": "text",
    "source_key": "text",
}


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
