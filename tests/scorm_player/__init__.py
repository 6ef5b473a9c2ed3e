"""Tests for the SCORM/cmi5 player."""
