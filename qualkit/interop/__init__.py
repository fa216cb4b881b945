"""Codebooks and data in the file formats people exchange: read with line-precise errors, written readably."""
