"""Anonymisation: find identifiers in a project's texts and replace them with consistent pseudonyms.

Pure functions over text: `detect` finds (`Detector`, `propagate`), `replace` rewrites
(`PseudonymKey`, `anonymise`), `batch` runs the JSONL contract. No store, no printing.
"""
