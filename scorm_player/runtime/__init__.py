"""SCORM 1.2 and 2004 run-time data models: rules as JSON tables, the API session, and commit re-validation."""

from scorm_player.runtime.commits import CommitRejection, CommitResult, RuntimeState, apply_commit, open_session
from scorm_player.runtime.datamodel import RuntimeSession
from scorm_player.runtime.launch import LaunchData, LmsComment, SeededObjective, SharedDataBucket
from scorm_player.runtime.options import RuntimeOptions
from scorm_player.runtime.rules import SCORM_VERSIONS, DataModelRules, ScormVersion, load_rules, rules_path

__all__ = [
    "SCORM_VERSIONS", "CommitRejection", "CommitResult", "DataModelRules", "LaunchData", "LmsComment",
    "RuntimeOptions", "RuntimeSession", "RuntimeState", "ScormVersion", "SeededObjective", "SharedDataBucket",
    "apply_commit", "load_rules", "open_session", "rules_path",
]
