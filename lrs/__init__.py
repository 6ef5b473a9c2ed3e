"""The xAPI learning record store (1.0.3 and 2.0.0)."""
