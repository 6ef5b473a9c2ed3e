"""The IRIs cmi5 defines or uses: verbs, context categories, extensions, activity types, document ids."""

from __future__ import annotations

VERB_LAUNCHED = "http://adlnet.gov/expapi/verbs/launched"
VERB_INITIALIZED = "http://adlnet.gov/expapi/verbs/initialized"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
VERB_TERMINATED = "http://adlnet.gov/expapi/verbs/terminated"
VERB_ABANDONED = "https://w3id.org/xapi/adl/verbs/abandoned"
VERB_WAIVED = "https://w3id.org/xapi/adl/verbs/waived"
VERB_SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"
VERB_VOIDED = "http://adlnet.gov/expapi/verbs/voided"

VERB_DISPLAY = {
    VERB_LAUNCHED: "launched", VERB_INITIALIZED: "initialized", VERB_COMPLETED: "completed",
    VERB_PASSED: "passed", VERB_FAILED: "failed", VERB_TERMINATED: "terminated", VERB_ABANDONED: "abandoned",
    VERB_WAIVED: "waived", VERB_SATISFIED: "satisfied",
}
# cmi5 §9.3: what an AU may send as a "cmi5 defined" statement; the other four are the LMS's alone.
AU_VERBS = frozenset({VERB_INITIALIZED, VERB_COMPLETED, VERB_PASSED, VERB_FAILED, VERB_TERMINATED})
LMS_VERBS = frozenset({VERB_LAUNCHED, VERB_ABANDONED, VERB_WAIVED, VERB_SATISFIED})
SATISFACTION_VERBS = frozenset({VERB_COMPLETED, VERB_PASSED, VERB_FAILED})

CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"

_EXTENSIONS = "https://w3id.org/xapi/cmi5/context/extensions/"
EXT_SESSION_ID = _EXTENSIONS + "sessionid"
EXT_MASTERY_SCORE = _EXTENSIONS + "masteryscore"
EXT_LAUNCH_MODE = _EXTENSIONS + "launchmode"
EXT_LAUNCH_URL = _EXTENSIONS + "launchurl"
EXT_MOVE_ON = _EXTENSIONS + "moveon"
EXT_LAUNCH_PARAMETERS = _EXTENSIONS + "launchparameters"
EXT_REASON = "https://w3id.org/xapi/cmi5/result/extensions/reason"

ACTIVITY_TYPE_COURSE = "https://w3id.org/xapi/cmi5/activitytype/course"
ACTIVITY_TYPE_BLOCK = "https://w3id.org/xapi/cmi5/activitytype/block"

LAUNCH_DATA_STATE_ID = "LMS.LaunchData"
LEARNER_PREFERENCES_PROFILE_ID = "cmi5LearnerPreferences"

LAUNCH_MODES = ("Normal", "Browse", "Review")
# ⚠ cmi5 §9.5.5.2 reasons as CATAPULT's LTS 009 suggests them; not verified against the spec text.
WAIVE_REASONS = ("Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative")
