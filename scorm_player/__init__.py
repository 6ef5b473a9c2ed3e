"""SCORM 1.2 / SCORM 2004 / cmi5 player: package import, runtime, sequencing and the cmi5 launch service."""
