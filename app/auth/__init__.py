"""Sign-in, sign-out and the current user."""

from .views import bp

__all__ = ["bp"]
