"""Committee dashboard, helpdesk inbox, my requests."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)
