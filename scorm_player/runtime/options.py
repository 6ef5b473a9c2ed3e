"""Runtime settings: the suspend_data limit, strict spec limits and the SCORM 1.2 status policies."""

from __future__ import annotations

from dataclasses import dataclass

from scorm_player.runtime.rules import DataModelRules


@dataclass(frozen=True)
class RuntimeOptions:
    """How strictly a session applies the length limits, and the LMS-defined 1.2 status choices.

    suspend_data_max: the largest cmi.suspend_data accepted; None means the table's default (64000 for both
        versions, spec §2.6, because authoring tools overflow 1.2's 4096).
    strict_limits: conformance mode. suspend_data is held to the spec's limit (1.2: 4096, 2004 4th Ed: 64000;
        pass suspend_data_max=4000 for 2004 2nd/3rd Ed) and, in 2004, every other smallest permitted maximum
        (SPM) is enforced too. Without it a 2004 value may exceed its SPM, which the spec allows (an SPM is
        the least an LMS must store).
    force_completed_on_finish: SCORM 1.2, a SCO that never set lesson_status is "completed" at LMSFinish
        instead of "incomplete" (Moodle's "force completed", spec §6).
    apply_mastery_score: SCORM 1.2, with credit, a mastery score and a score.raw, lesson_status becomes
        passed/failed by comparison at LMSCommit/LMSFinish (spec §2.3, Moodle "mastery score overrides status").
    """

    suspend_data_max: int | None = None
    strict_limits: bool = False
    force_completed_on_finish: bool = False
    apply_mastery_score: bool = True

    def suspend_data_limit(self, rules: DataModelRules) -> int:
        if self.suspend_data_max is not None:
            return self.suspend_data_max
        return rules.suspend_data_spec_limit if self.strict_limits else rules.suspend_data_default_limit

    def enforces_smallest_permitted_maximum(self, rules: DataModelRules) -> bool:
        # SCORM 1.2 types carry their length (CMIString255); 2004 SPMs are minimums an LMS may exceed.
        return rules.length_policy == "enforce" or self.strict_limits
