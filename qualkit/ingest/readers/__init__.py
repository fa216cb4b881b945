"""One module per source format; importing this package registers them all."""

from qualkit.ingest.readers import documents, pdf, tables, text, timed_text  # noqa: F401
