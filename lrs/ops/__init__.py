"""LRS commands and queries, one transaction each; no aiohttp here."""
