"""Reads of experiments (each module a sub-domain; every read scoped to the user)."""
