"""Declarative base shared by every model, with stable constraint names."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.dialects.mysql import DATETIME as MYSQL_DATETIME
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Microsecond timestamps on MariaDB too (its DATETIME defaults to whole seconds).
Timestamp = DateTime().with_variant(MYSQL_DATETIME(fsp=6), "mysql", "mariadb")


class Base(DeclarativeBase):
    """Base class of all models."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Now in UTC, naive (MariaDB DATETIME has no time zone)."""
    return datetime.now(UTC).replace(tzinfo=None)
