"""Model store: every model version, aliases, modes and the audit log (issue: model store and API)."""
