"""Routes of the groups pages."""

from flask import Blueprint

bp = Blueprint("groups", __name__)
