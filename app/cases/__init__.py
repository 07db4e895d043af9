"""The case page, the actions on it, and canned replies."""

from . import actions, canned_views, views  # noqa: F401 - routes register on import
from .blueprint import bp

__all__ = ["bp"]
