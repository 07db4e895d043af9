"""Routes of the committee pages."""

from flask import Blueprint

bp = Blueprint("committee", __name__)
