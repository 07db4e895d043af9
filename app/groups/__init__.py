"""The groups blueprint: working groups, their members, join requests, and their admin."""

from . import leads, manage  # noqa: F401 - routes register on import
from .views import bp

__all__ = ["bp"]
