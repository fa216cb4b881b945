"""Automatic coders behind one interface (see base.py); importing registers them."""

from qualkit.coders import rules  # noqa: F401
