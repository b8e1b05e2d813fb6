"""Messaging's HTML pages: the outbox, templates and contact rules."""
