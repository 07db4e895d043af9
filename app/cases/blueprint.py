"""The `cases` blueprint object, shared by the route modules."""

from flask import Blueprint

bp = Blueprint("cases", __name__)
