"""aiohttp handlers for the xAPI resources."""
