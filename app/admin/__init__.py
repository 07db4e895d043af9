"""Admin: roles and the audit log."""
