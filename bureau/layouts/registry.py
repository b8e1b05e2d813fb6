"""Imports every layout module so each registers itself (bureau.layouts.base.layout_register)."""

from bureau.layouts import latam, metro2  # noqa: F401
