"""Messaging's forms: the outbox filter, templates and contact rules."""
