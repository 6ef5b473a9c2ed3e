"""The cmi5 requirement ids the gate and the launch service cite, with their text (CATAPULT requirements.json).

Copied from adlnet/CATAPULT `requirements/requirements.json` (Apache-2.0, see the NOTICE next to it in
shared/fixtures/scorm/conformance_data/cmi5_requirements); a test checks every entry against that file.
"""

from __future__ import annotations

REQUIREMENTS: dict[str, str] = {
    '11.0.0.0-3': 'The AU MUST retrieve the Learner Preferences document from the Agent Profile on startup.',
    '9.1.0.0-1': (
        'The AU MUST assign a statement id property in UUID format (as defined in the xAPI '
        'specification) for all statements it issues.'
    ),
    '6.3.0.0-1': 'The LMS MUST NOT provide permissions/credentials which allow the AU to issue voiding Statements.',
    '9.7.0.0-1': (
        'All statements MUST include a timestamp property per the xAPI specification to ensure statement '
        'ordering requirements are met.'
    ),
    '9.7.0.0-2': 'All timestamps MUST be recorded in UTC time.',
    '8.1.3.0-3': (
        'The AU MUST use the "actor" value in xAPI requests that require an "actor" property or that '
        'require an "agent" parameter.'
    ),
    '9.6.0.0-1': (
        'All cmi5 defined statements MUST contain a context that includes all properties as defined in '
        'this section [9.6].'
    ),
    '10.2.1.0-6': (
        'The AU MUST use the contextTemplate as a template for the "context" property in all xAPI '
        'statements it sends to the LMS.'
    ),
    '10.2.1.0-7': (
        'While the AU may include additional values in the Context object of such statements, it MUST '
        'NOT overwrite any values provided in the contextTemplate.'
    ),
    '9.6.2.2-2': (
        'Other statements [than those with a result.completion or result.success property] MUST NOT '
        'include this Activity [the moveOn Category Activity].'
    ),
    '9.6.1.0-1': (
        'The value for the registration property used in the context object MUST be the value provided '
        'by the LMS.'
    ),
    '9.6.3.1-4': (
        'An AU MUST include the session ID provided by the LMS in the context as an extension for all '
        '"cmi5 defined" and "cmi5 allowed" statements it makes directly in the LRS.'
    ),
    '9.3.0.0-4': 'The "Initialized" verb MUST be the first statement (cmi5 allowed or defined).',
    '9.3.0.0-5': 'The "Terminated" verb MUST be the last statement (cmi5 allowed or defined).',
    '9.3.6.0-2': (
        'The LMS MUST NOT allow any statements to be recorded for a session after recording an '
        '"Abandoned" statement.'
    ),
    '9.2.0.0-2': 'The Actor property for all "cmi5 defined" statements MUST be of objectType "Agent".',
    '9.2.0.0-3': 'The Actor property MUST contain an "account" IFI as defined in the xAPI specification.',
    '9.4.0.0-1': 'An Object MUST be present, as specified in this section, in all "cmi5 defined" statements.',
    '8.1.5.0-6': (
        'The AU MUST use the "activityId" value as the id property of the Object in all "cmi5 defined" '
        'statements.'
    ),
    '10.2.2.0-2': (
        'Browse [launchMode] Indicates to the AU that satisfaction-related data MUST NOT be recorded in '
        'the LMS using xAPI statements.'
    ),
    '10.2.2.0-3': (
        'Review [launchMode] Indicates to the AU that satisfaction-related data MUST NOT be recorded in '
        'the LMS using xAPI statements.'
    ),
    '9.5.3.0-1': (
        'The "completion" property of the result MUST be set to true for the following cmi5 defined '
        'statements ["Completed", "Waived"].'
    ),
    '9.5.2.0-1': (
        'The "success" property of the result MUST be set to true for the following cmi5 defined '
        'statements ["Passed", "Waived"].'
    ),
    '9.5.2.0-2': (
        'The "success" property of the result MUST be set to false for the following cmi5 defined '
        'statements ["Failed"].'
    ),
    '9.5.4.1-1': 'The AU MUST include the "duration" property in "Terminated" statements.',
    '9.5.4.1-2': 'The AU MUST include the "duration" property in "Completed" statements.',
    '9.5.4.1-3': 'The AU MUST include the "duration" property in "Passed" statements.',
    '9.5.4.1-4': 'The AU MUST include the "duration" property in "Failed" statements.',
    '9.5.3.0-2': (
        'cmi5 defined statements, other than "Completed" or "Waived", MUST NOT include the "completion" '
        'property.'
    ),
    '9.5.2.0-3': (
        'cmi5 defined statements, other than "Passed", "Waived" or "Failed", MUST NOT include the '
        '"success" property.'
    ),
    '9.6.2.2-1': (
        'cmi5 defined statements with a Result object (Section 9.5) that include either "success" or '
        '"completion" properties MUST have an Activity object with an "id" of '
        '"https://w3id.org/xapi/cmi5/context/categories/moveon" in the "category" context activities '
        'list.'
    ),
    '9.5.1.0-2': 'cmi5 defined statements, other than "Passed" or "Failed", MUST NOT include the "score" property.',
    '9.5.1.0-3': 'The AU MUST provide the "min" and "max" values for "score" when the "raw" value is provided.',
    '9.6.3.2-2': (
        'An AU MUST include the "masteryScore" value provided by the LMS in the context as an extension '
        'for "passed"/"failed" Statements it makes based on the "masteryScore".'
    ),
    '9.3.0.0-2': 'Verbs MUST NOT be duplicated (in cmi5 defined statements).',
    '9.3.0.0-6': 'Exactly zero or one "Completed" cmi5 defined statement MUST be used per registration.',
    '9.3.4.0-2': (
        'If the "Passed" statement contains a (scaled) score, the (scaled) score MUST be equal to or '
        'greater than the "masteryScore" indicated in the LMS Launch Data.'
    ),
    '9.3.0.0-3': 'More than one of the set of {"Passed","Failed"} verbs MUST NOT be used (in cmi5 defined statements).',
    '9.3.0.0-7': 'Exactly zero or one "Passed" cmi5 defined statement MUST be used per registration.',
    '9.3.5.0-2': (
        'If the "Failed" statement contains a (scaled) score, the (scaled) score MUST be less than the '
        '"masteryScore" indicated in the LMS Launch Data.'
    ),
    '9.3.0.0-8': (
        'A "Failed" statement MUST NOT follow a "Passed" statement (in cmi5 defined statements) per '
        'registration.'
    ),
    '9.3.0.0-1': (
        'AUs MUST use the below verbs that are indicated as mandatory in other sections of this '
        'specification.'
    ),
    '9.3.1.0-1': 'The LMS MUST use this verb, "Launched", in a statement recorded in the LRS before launching an AU.',
    '9.3.6.0-1': (
        'The LMS MUST record an "Abandoned" statement on behalf of the AU indicating an abnormal session '
        'termination.'
    ),
    '9.3.7.0-1': (
        'The LMS MUST use this verb, "Waived", in a statement recorded in the LRS when it determines '
        'that the AU may be waived.'
    ),
    '9.3.9.0-1': (
        'The LMS MUST use the "Satisfied" statement when the learner has met the moveOn criteria of all '
        "AU's in a block."
    ),
    '8.1.4.0-3': 'The AU MUST use the "registration" value in xAPI requests that require a "registration".',
    '10.2.1.0-5': 'The AU MUST NOT modify or delete the "LMS.LaunchData" State document.',
    '11.0.0.0-1': (
        'The Agent used in xAPI Agent Profile requests MUST match the actor property generated by the '
        'LMS at AU launch time.'
    ),
    '11.0.0.0-2': (
        'The AU MUST NOT treat the 403 response [to Learner Preferences change requests] as an error '
        'condition.'
    ),
    '11.0.0.0-5': (
        'The [Agent Profile] document content MUST be a JSON object with the "languagePreference" and '
        '"audioPreference" properties as described in Section 11.1 and 11.2.'
    ),
    '8.1.2.0-2': (
        'The authorization token returned by the "fetch" URL MUST be limited to the duration of a '
        'specific user session.'
    ),
    '8.2.3.0-1': 'The "fetch" URL is a "one-time use" URL and MUST NOT return an "auth-token" more than once.',
    '9.3.0.0-11': (
        'LMS MUST NOT issue more than one waived statement per session and MUST not issue more than one '
        'waived statement per registration per AU.'
    ),
    '9.3.7.0-4': (
        'The LMS MUST NOT issue multiple statements with "Waived" for the same AU within a course '
        'registration.'
    ),
}


def cite(requirement: str, detail: str = "") -> str:
    """`<id> - <requirement text> (<detail>)`, the message shape CATAPULT's player uses."""
    text = f"{requirement} - {REQUIREMENTS[requirement]}"
    return f"{text} ({detail})" if detail else text
