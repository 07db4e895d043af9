"""Shared infrastructure: configuration, database, i18n, security, errors, audit, caches."""
