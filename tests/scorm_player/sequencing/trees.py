"""Small hand-written SCORM 2004 manifests for the sequencing unit tests."""

from __future__ import annotations

from scorm_player.package.manifest import parse_manifest
from scorm_player.sequencing import ActivityTree, build_activity_tree

_HEAD = """<?xml version="1.0"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
    xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Course</title>
"""
_TAIL = """  </organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormType="sco" href="sco.html"/></resources>
</manifest>"""


def leaf(identifier: str, sequencing: str = "", extra: str = "") -> str:
    """An item launching the shared SCO; `sequencing` is the inside of its <imsss:sequencing>."""
    block = f"<imsss:sequencing>{sequencing}</imsss:sequencing>" if sequencing else ""
    return (f'<item identifier="{identifier}" identifierref="r"><title>{identifier.upper()}</title>'
            f"{block}{extra}</item>")


def cluster(identifier: str, *children: str, sequencing: str = "") -> str:
    block = f"<imsss:sequencing>{sequencing}</imsss:sequencing>" if sequencing else ""
    return f'<item identifier="{identifier}"><title>{identifier.upper()}</title>{"".join(children)}{block}</item>'


def tree(*items: str, root_sequencing: str = '<imsss:controlMode flow="true"/>') -> ActivityTree:
    """The activity tree of a manifest whose organization holds `items`."""
    organization_sequencing = f"<imsss:sequencing>{root_sequencing}</imsss:sequencing>" if root_sequencing else ""
    xml = _HEAD + "".join(items) + organization_sequencing + _TAIL
    return build_activity_tree(parse_manifest(xml.encode()))


def rule(kind: str, action: str, *conditions: str, combination: str = "all") -> str:
    """A sequencing rule: kind is pre/exit/post; a condition is "satisfied" or "not satisfied"."""
    negation = ' operator="not"'
    rendered = "".join(
        f'<imsss:ruleCondition condition="{condition.split()[-1]}"{negation if condition.startswith("not ") else ""}/>'
        for condition in conditions)
    return (f'<imsss:sequencingRules><imsss:{kind}ConditionRule>'
            f'<imsss:ruleConditions conditionCombination="{combination}">{rendered}</imsss:ruleConditions>'
            f'<imsss:ruleAction action="{action}"/></imsss:{kind}ConditionRule></imsss:sequencingRules>')
