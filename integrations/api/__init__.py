"""The REST API (``/api/v1/``): token and session auth, one collection per kind of record."""
