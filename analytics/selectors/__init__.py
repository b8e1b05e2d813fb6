"""KPIs of KPIS.md read from the nightly snapshot tables (one selector for page and API)."""
