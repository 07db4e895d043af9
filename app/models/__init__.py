"""All models, imported here so that metadata knows every table."""

from .audit import AuditEvent, AuditLogIsAppendOnly
from .base import Base, utcnow
from .user import RoleGrant, User

__all__ = ["AuditEvent", "AuditLogIsAppendOnly", "Base", "RoleGrant", "User", "utcnow"]
