"""gunicorn's settings for the Procfile's `web:` process (`gunicorn -c gunicorn.conf.py`).

The build service says where to listen in PORT. The access log goes to standard
output (Toolforge keeps it), except `GET /healthz`: Kubernetes asks for it every
few seconds, and those lines would bury the real requests.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from gunicorn.glogging import Logger

HEALTH_CHECK_PATH = "/healthz"

bind = f"0.0.0.0:{os.environ.get('PORT') or '8000'}"
workers = 2
accesslog = "-"
wsgi_app = "app:create_app()"


class HealthCheckFilter(logging.Filter):
    """Drops the access log lines of `GET /healthz`."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False (drop) for a health check; True for every other line."""
        atoms: Any = record.args
        if isinstance(atoms, dict) and "m" in atoms and "U" in atoms:
            return not (atoms["m"] == "GET" and atoms["U"] == HEALTH_CHECK_PATH)
        return f"GET {HEALTH_CHECK_PATH} " not in record.getMessage()


HEALTH_CHECKS = HealthCheckFilter()


class AccessLogger(Logger):
    """gunicorn's logger, with the health checks left out of the access log."""

    def setup(self, cfg: Any) -> None:
        """Set up as gunicorn does, then add the filter to the access log."""
        super().setup(cfg)
        self.access_log.addFilter(HEALTH_CHECKS)  # once, even when a reload runs setup again


logger_class = AccessLogger
