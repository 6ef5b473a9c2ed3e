"""Tests for the SCORM runtime data model."""
