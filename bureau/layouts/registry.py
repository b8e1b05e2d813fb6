"""Imports every layout module so each registers itself (bureau.layouts.base.layout_register)."""
