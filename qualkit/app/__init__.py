"""The Streamlit app: one module per page in `pages/`, shared plumbing beside them. Pages call
`qualkit.services` through `gateway`, which caches reads per project version and refuses writes in
read-only mode."""
