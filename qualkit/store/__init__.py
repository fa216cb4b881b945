"""Persistence: the only package with SQL in it.

Other layers hold a `Session` only as an opaque handle they pass back to functions here (they never
build a query); its type is re-exported so their type hints need not import SQLAlchemy."""

from sqlalchemy.orm import Session

__all__ = ["Session"]
