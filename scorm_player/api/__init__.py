"""The package HTTP API (/api/v1/)."""
