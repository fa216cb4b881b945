"""Automatic coders behind one interface (see base.py). `base.BUILT_IN` names the built-in coders and
their modules; each is imported the first time it is asked for, so importing this package is cheap."""
