"""The user's preferences: email notifications, email address, language."""

from .views import bp

__all__ = ["bp"]
