from messaging.compliance import admin as compliance_admin  # noqa: F401
