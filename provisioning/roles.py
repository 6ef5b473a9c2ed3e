"""Roles and the permission map: the one place that says who may do what."""

from __future__ import annotations

from enum import StrEnum
from typing import Iterable


class Role(StrEnum):
    PLATFORM_ADMIN = "platform_admin"
    ORG_ADMIN = "org_admin"
    LD_ADMIN = "ld_admin"
    LD_ANALYST = "ld_analyst"
    FINANCE = "finance"
    MANAGER = "manager"
    SUPERVISOR = "supervisor"  # a foreman: like a manager, over a crew
    EXECUTIVE = "executive"
    LEARNER = "learner"


ROLE_LABELS: dict[Role, str] = {
    Role.PLATFORM_ADMIN: "Platform admin",
    Role.ORG_ADMIN: "Organisation admin",
    Role.LD_ADMIN: "L&D admin",
    Role.LD_ANALYST: "L&D analyst",
    Role.FINANCE: "Finance",
    Role.MANAGER: "Manager",
    Role.SUPERVISOR: "Supervisor (foreman)",
    Role.EXECUTIVE: "Executive",
    Role.LEARNER: "Learner",
}


class Permission(StrEnum):
    PEOPLE_READ_ALL = "people.read_all"        # every person of the tenant
    PEOPLE_READ_TEAM = "people.read_team"      # the reporting line below oneself
    PEOPLE_WRITE = "people.write"              # create, edit, deactivate people; reset passwords
    GROUPS_WRITE = "groups.write"
    ROLES_ASSIGN = "roles.assign"
    LRS_CREDENTIALS_MANAGE = "lrs_credentials.manage"
    SCIM_TOKENS_MANAGE = "scim_tokens.manage"
    SAML_MANAGE = "saml.manage"
    AUDIT_READ = "audit.read"
    STATEMENTS_READ = "statements.read"        # the statement browser: every statement of the tenant
    PACKAGES_MANAGE = "packages.manage"        # import SCORM/cmi5 packages
    REPORTS_READ = "reports.read"              # course and learner reports, tenant-wide
    TEAM_REPORTS_READ = "team_reports.read"    # reports over one's reporting line
    COSTS_APPROVE = "costs.approve"
    ROI_READ = "roi.read"
    LEARN = "learn"                            # launch courses, see one's own record
    TENANTS_MANAGE = "tenants.manage"


_ADMIN = {
    Permission.PEOPLE_READ_ALL, Permission.PEOPLE_WRITE, Permission.GROUPS_WRITE, Permission.ROLES_ASSIGN,
    Permission.LRS_CREDENTIALS_MANAGE, Permission.SCIM_TOKENS_MANAGE, Permission.SAML_MANAGE,
    Permission.AUDIT_READ, Permission.STATEMENTS_READ, Permission.PACKAGES_MANAGE, Permission.REPORTS_READ,
    Permission.ROI_READ, Permission.LEARN,
}

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PLATFORM_ADMIN: frozenset(_ADMIN | {Permission.TENANTS_MANAGE}),
    Role.ORG_ADMIN: frozenset(_ADMIN),
    Role.LD_ADMIN: frozenset({
        Permission.PEOPLE_READ_ALL, Permission.GROUPS_WRITE, Permission.LRS_CREDENTIALS_MANAGE,
        Permission.AUDIT_READ, Permission.STATEMENTS_READ, Permission.PACKAGES_MANAGE, Permission.REPORTS_READ,
        Permission.ROI_READ, Permission.LEARN,
    }),
    Role.LD_ANALYST: frozenset({
        Permission.PEOPLE_READ_ALL, Permission.STATEMENTS_READ, Permission.REPORTS_READ, Permission.ROI_READ,
        Permission.LEARN,
    }),
    Role.FINANCE: frozenset({Permission.COSTS_APPROVE, Permission.ROI_READ, Permission.LEARN}),
    Role.MANAGER: frozenset({Permission.PEOPLE_READ_TEAM, Permission.TEAM_REPORTS_READ, Permission.LEARN}),
    Role.SUPERVISOR: frozenset({Permission.PEOPLE_READ_TEAM, Permission.TEAM_REPORTS_READ, Permission.LEARN}),
    Role.EXECUTIVE: frozenset({Permission.PEOPLE_READ_ALL, Permission.REPORTS_READ, Permission.ROI_READ,
                               Permission.LEARN}),
    Role.LEARNER: frozenset({Permission.LEARN}),
}


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise ValueError(f"unknown role {value!r}; roles are {', '.join(r.value for r in Role)}") from None


def permissions_for(roles: Iterable[Role | str]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= PERMISSIONS[Role(role)]
    return frozenset(granted)
