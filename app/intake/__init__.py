"""Filing requests: the "Ask for help" form and logging email requests."""

from .views import bp

__all__ = ["bp"]
