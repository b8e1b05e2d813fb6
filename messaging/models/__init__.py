from messaging.models.compliance import ComplianceOverride  # noqa: F401
