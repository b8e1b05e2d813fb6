"""Cartera's django-fsm state field, and the moves a model's transitions declare for set-based
code that cannot call them.

Batch jobs move thousands of rows with one statement, so they never run the transition method
of each object; they ask the declarations instead, and apply only the moves found here.
"""

from django.apps import apps as global_apps
from django.db.models.signals import class_prepared
from django_fsm import ANY_OTHER_STATE, ANY_STATE, FSMField, State


class StateField(FSMField):
    """django-fsm's FSMField (same column, same transitions) that leaves migrations' historical
    models alone.

    FSMField connects a `class_prepared` receiver for every model class it is added to, and
    every receiver is called for every model class Django builds. A migration builds each of
    its historical models again whenever a related one changes: 22,901 model classes for a
    migrate from nothing, and with the receivers of every state field of every historical
    model still alive, 2.6 million calls. A historical model has none of the model's methods,
    so it has no transitions to collect: its field does not listen (a migrate from nothing on
    PostgreSQL, on a busy 2-core machine: 47.6 s and 50.6 s before, 29.1 s and 33.8 s after).
    """

    def contribute_to_class(self, cls, name, private_only=False, **kwargs):
        super().contribute_to_class(cls, name, private_only=private_only, **kwargs)
        if cls._meta.apps is not global_apps:
            class_prepared.disconnect(self._collect_transitions)


def declared_moves(model, field_name: str, *, custom: str | None = None) -> set[tuple]:
    """(source, target, transition name) for every move the transitions of `field_name` declare.

    `custom` keeps only the transitions whose `custom` dict sets that key. Conditions and
    permissions are not evaluated here: a batch job states them in its own set-based terms.
    """
    field = model._meta.get_field(field_name)
    states = [str(value) for value, _label in field.choices]
    moves = set()
    for transition in field.get_all_transitions(model):
        if custom is not None and not transition.custom.get(custom):
            continue
        target = transition.target
        if target is None:
            continue
        if isinstance(target, State):
            targets = [str(t) for t in target.allowed_states] or states
        else:
            targets = [str(target)]
        for to in targets:
            if transition.source == ANY_STATE:
                sources = states
            elif transition.source == ANY_OTHER_STATE:
                sources = [s for s in states if s != to]
            else:
                sources = [str(transition.source)]
            moves.update((source, to, transition.name) for source in sources)
    return moves


def transition_sources(model, field_name: str, name: str) -> tuple[set[str], str]:
    """The states transition `name` leaves from, and the one it goes to (a fixed target)."""
    moves = {(s, t) for s, t, n in declared_moves(model, field_name) if n == name}
    targets = {t for _s, t in moves}
    if len(targets) != 1:
        raise ValueError(f"{model.__name__}.{name} has no single target: {sorted(targets)}")
    return {s for s, _t in moves}, targets.pop()
