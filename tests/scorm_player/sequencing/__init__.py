"""Tests for the SCORM 2004 sequencing engine."""
