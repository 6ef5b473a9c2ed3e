"""Tests for package import: archives, manifests, cmi5 course structures, inspection."""
