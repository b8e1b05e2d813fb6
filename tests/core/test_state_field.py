"""core.fsm.StateField: django-fsm's field, quiet on migrations' historical models."""

import gc

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin

from core.fsm import StateField, declared_moves
from portfolio.models import Debt


def _listening(field) -> bool:
    """Whether `field`'s transition collector is connected to `class_prepared`."""
    key = (id(field), id(field._collect_transitions.__func__))
    return any(lookup[0] == key for lookup, *_rest in class_prepared.receivers)


def _state_fields(models):
    return [
        (model, field)
        for model in models
        for field in model._meta.local_fields
        if isinstance(field, FSMFieldMixin)
    ]


def test_every_state_field_of_the_project_is_cartera_s():
    fields = _state_fields(apps.get_models())
    assert len(fields) >= 10
    assert [(m.__name__, f.name) for m, f in fields if type(f) is not StateField] == []


def test_a_model_s_state_field_listens_and_collects_its_transitions():
    fields = _state_fields(apps.get_models())
    assert all(_listening(field) for _model, field in fields)
    # Transitions are collected for the models that declare them (Debt's protected stage).
    moves = declared_moves(Debt, "stage")
    assert ("current", "friendly_reminder", "start_friendly_reminders") in moves
    declaring = {m.__name__ for m, f in fields if f.get_all_transitions(m)}
    assert declaring >= {"Debt", "PaymentAgreement", "Complaint", "LegalCase"}


@pytest.mark.django_db
def test_a_migration_s_historical_models_do_not_listen():
    gc.collect()
    before = len(class_prepared.receivers)
    state = MigrationLoader(connection).project_state()
    historical = state.apps.get_models()  # renders every historical model
    fields = _state_fields(historical)
    assert len(fields) >= 10
    assert [(m.__name__, f.name) for m, f in fields if _listening(f)] == []
    # Rendering the whole project's state added no receiver.
    assert len(class_prepared.receivers) <= before
