"""Automatic coders behind one interface (see base.py); importing registers them."""

from qualkit.coders import ensemble, ensemble_v2, rules, semantic, supervised  # noqa: F401
