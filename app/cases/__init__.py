"""The cases blueprint."""

from .views import bp

__all__ = ["bp"]
