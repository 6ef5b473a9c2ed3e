"""xAPI statement query parameters turned into SQL, with a keyset cursor."""
