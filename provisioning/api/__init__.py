"""aiohttp handlers for sign-in, sessions and the people API."""
