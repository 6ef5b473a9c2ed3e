"""learnhub: the shared wiring (settings, database, tenancy, errors, CLI)."""

__version__ = "0.1.0"
