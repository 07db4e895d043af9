"""Routes of the intake (filled in by the intake work)."""

from flask import Blueprint

bp = Blueprint("intake", __name__)
