"""Demo data for `learnhub serve --demo`: DemoCorp and GulfEnergy with a year of learning records.

Idempotent and never destructive: tenants and credentials are created only when missing, and
statements carry deterministic ids (UUIDv5), so a second run stores nothing new. With a content root, the
courses built from hub/demo_courses are imported (same bytes, same package: a no-op the second time) and
the demo learners are enrolled in them once.
"""

from __future__ import annotations

import random
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hub.db import Database
from hub.errors import Conflict
from hub.tenants import Tenant, ensure_tenant

DEMO_NAMESPACE = uuid.UUID("6f1c2d1e-6a53-4f0e-9a51-3c0d6f7b9e10")
DEMO_NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    role: str
    department: str
    job_title: str


@dataclass(frozen=True)
class DemoCourse:
    slug: str
    title: str
    category: str
    validity_months: int
    mandatory: bool
    assessed: bool


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    domain: str
    credential_key: str
    credential_secret: str
    departments: tuple[str, ...]
    people: tuple[DemoPerson, ...]
    courses: tuple[DemoCourse, ...]


def _people(domain: str, rows: list[tuple[str, str, str, str]]) -> tuple[DemoPerson, ...]:
    people = []
    for name, role, department, title in rows:
        local = name.lower().replace(" ", ".").replace("'", "").replace("-", "")
        people.append(DemoPerson(name, f"{local}@{domain}", role, department, title))
    return tuple(people)


COURSES = (
    DemoCourse("h2s-awareness", "H2S Awareness and Escape", "safety", 12, True, True),
    DemoCourse("confined-space-entry", "Confined Space Entry", "safety", 24, True, True),
    DemoCourse("working-at-height", "Working at Height", "safety", 24, True, True),
    DemoCourse("fire-warden", "Fire Warden", "safety", 12, True, False),
    DemoCourse("first-aid-basic", "Basic First Aid", "safety", 36, True, True),
    DemoCourse("permit-to-work", "Permit to Work", "safety", 12, True, True),
    DemoCourse("lockout-tagout", "Lockout / Tagout (LOTO)", "technical", 24, True, True),
    DemoCourse("pump-maintenance", "Centrifugal Pump Maintenance", "technical", 36, False, True),
    DemoCourse("hv-switching", "High-Voltage Switching Operations", "technical", 12, True, True),
    DemoCourse("instrument-calibration", "Instrument Calibration Fundamentals", "technical", 24, False, True),
    DemoCourse("leading-safety-teams", "Leading Safety-Critical Teams", "leadership", 36, False, False),
    DemoCourse("coaching-for-supervisors", "Coaching for Supervisors", "leadership", 36, False, False),
    DemoCourse("cyber-security-basics", "Cyber Security Essentials", "it", 12, True, True),
    DemoCourse("data-protection", "Data Protection and Privacy", "compliance", 12, True, True),
    DemoCourse("anti-bribery", "Anti-Bribery and Corruption", "compliance", 24, True, True),
    DemoCourse("code-of-conduct", "Code of Conduct", "compliance", 12, True, False),
)

DEMOCORP = DemoTenant(
    slug="democorp", name="DemoCorp", domain="democorp.local",
    credential_key="democorp-demo", credential_secret="democorp-demo-secret",
    departments=("ERTMD", "TMSD", "JTMD", "Operations", "HSE"),
    people=_people("democorp.local", [
        ("Admin", "org_admin", "HSE", "Platform Administrator"),
        ("Layla Al-Harthy", "org_admin", "TMSD", "Learning Systems Administrator"),
        ("Omar Al-Balushi", "ld_admin", "TMSD", "Training Officer"),
        ("Sarah Mitchell", "ld_admin", "JTMD", "Training Officer"),
        ("Khalid Al-Rawahi", "manager", "Operations", "Operations Manager"),
        ("Fatma Al-Saadi", "manager", "HSE", "HSE Manager"),
        ("James Carter", "manager", "ERTMD", "Engineering Manager"),
        ("Mariam Al-Hinai", "manager", "JTMD", "Technical Training Manager"),
        ("Said Al-Amri", "supervisor", "Operations", "Shift Foreman"),
        ("Yousuf Al-Kindi", "supervisor", "Operations", "Maintenance Foreman"),
        ("Rashid Al-Shukaili", "supervisor", "ERTMD", "Electrical Foreman"),
        ("Daniel Okafor", "supervisor", "HSE", "Safety Foreman"),
        ("Hamed Al-Farsi", "supervisor", "JTMD", "Workshop Foreman"),
        ("Salim Al-Maskari", "supervisor", "TMSD", "Field Foreman"),
        ("Ahmed Al-Zadjali", "learner", "Operations", "Process Operator"),
        ("Aisha Al-Lawati", "learner", "Operations", "Control Room Operator"),
        ("Nasser Al-Habsi", "learner", "Operations", "Process Technician"),
        ("Priya Nair", "learner", "ERTMD", "Electrical Engineer"),
        ("Badr Al-Siyabi", "learner", "ERTMD", "Instrument Technician"),
        ("Huda Al-Riyami", "learner", "ERTMD", "Reliability Engineer"),
        ("Tariq Al-Mamari", "learner", "HSE", "Safety Officer"),
        ("Emily Clarke", "learner", "HSE", "Environmental Specialist"),
        ("Zahir Al-Ghafri", "learner", "JTMD", "Apprentice Technician"),
        ("Muna Al-Busaidi", "learner", "JTMD", "Training Coordinator"),
        ("Faisal Al-Jabri", "learner", "TMSD", "Mechanical Technician"),
        ("Noor Al-Rashdi", "learner", "TMSD", "Planner"),
        ("Ibrahim Al-Hosni", "learner", "Operations", "Field Operator"),
        ("Maryam Al-Toubi", "learner", "HSE", "Fire Technician"),
        ("Michael Brown", "learner", "ERTMD", "Project Engineer"),
        ("Asma Al-Wahaibi", "learner", "TMSD", "Materials Coordinator"),
    ]),
    courses=COURSES,
)

GULFENERGY = DemoTenant(
    slug="gulfenergy", name="GulfEnergy", domain="gulfenergy.local",
    credential_key="gulfenergy-demo", credential_secret="gulfenergy-demo-secret",
    departments=("Refining", "Power Generation", "Corporate Services"),
    people=_people("gulfenergy.local", [
        ("Admin", "org_admin", "Corporate Services", "Platform Administrator"),
        ("Reem Al-Qasimi", "ld_admin", "Corporate Services", "L&D Specialist"),
        ("Abdullah Al-Mansoori", "manager", "Refining", "Refinery Manager"),
        ("Hessa Al-Marri", "manager", "Power Generation", "Plant Manager"),
        ("George Wilson", "supervisor", "Refining", "Unit Foreman"),
        ("Majid Al-Dhaheri", "supervisor", "Power Generation", "Turbine Foreman"),
        ("Saeed Al-Kaabi", "learner", "Refining", "Process Operator"),
        ("Amna Al-Suwaidi", "learner", "Refining", "Lab Analyst"),
        ("Rajesh Kumar", "learner", "Refining", "Maintenance Technician"),
        ("Latifa Al-Nuaimi", "learner", "Power Generation", "Control Engineer"),
        ("Obaid Al-Ketbi", "learner", "Power Generation", "Electrical Technician"),
        ("Sophie Turner", "learner", "Corporate Services", "HR Advisor"),
        ("Hamad Al-Shamsi", "learner", "Power Generation", "Mechanical Technician"),
        ("Mouza Al-Falasi", "learner", "Corporate Services", "Finance Analyst"),
        ("Yaqoob Al-Hammadi", "learner", "Refining", "Field Operator"),
    ]),
    courses=COURSES[:15],
)

DEMO_TENANTS = (DEMOCORP, GULFENERGY)

DEMO_PASSWORD = "TrainFlow123!"
# Roles beyond each person's main one, so every tenant has one login per role (README lists them).
EXTRA_ROLES: dict[str, tuple[str, ...]] = {
    "admin@democorp.local": ("platform_admin",),
    "khalid.alrawahi@democorp.local": ("executive",),
    "noor.alrashdi@democorp.local": ("ld_analyst",),
    "asma.alwahaibi@democorp.local": ("finance",),
    "admin@gulfenergy.local": ("platform_admin",),
    "abdullah.almansoori@gulfenergy.local": ("executive",),
    "sophie.turner@gulfenergy.local": ("ld_analyst",),
    "mouza.alfalasi@gulfenergy.local": ("finance",),
}

VERBS = {
    "launched": ("http://adlnet.gov/expapi/verbs/launched", "launched"),
    "initialized": ("http://adlnet.gov/expapi/verbs/initialized", "initialized"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", "failed"),
    "answered": ("http://adlnet.gov/expapi/verbs/answered", "answered"),
    "terminated": ("http://adlnet.gov/expapi/verbs/terminated", "terminated"),
}


def course_iri(tenant: DemoTenant, course: DemoCourse) -> str:
    return f"https://{tenant.domain}/courses/{course.slug}"


def demo_statements(tenant: DemoTenant) -> list[dict[str, Any]]:
    """A year of course activity per person: launches, quiz answers, passes, fails, completions."""
    rng = random.Random(f"learnhub-demo-{tenant.slug}")
    statements: list[dict[str, Any]] = []
    for person in tenant.people:
        actor = {"objectType": "Agent", "name": person.name, "mbox": f"mailto:{person.email}"}
        courses = [c for c in tenant.courses if c.mandatory or rng.random() < 0.35]
        for course in courses:
            if rng.random() < 0.12:
                continue  # not started
            registration = str(uuid.uuid5(DEMO_NAMESPACE, f"{tenant.slug}/{person.email}/{course.slug}"))
            started = DEMO_NOW - timedelta(days=rng.randint(5, 420), hours=rng.randint(0, 8))
            attempts = 2 if (course.assessed and rng.random() < 0.15) else 1
            for attempt in range(1, attempts + 1):
                at = started + timedelta(days=(attempt - 1) * 7)
                builder = _StatementBuilder(tenant, course, actor, registration, attempt)
                statements.append(builder.make("launched", at))
                finished = rng.random() > 0.15 or attempt < attempts
                if course.assessed:
                    for question in range(1, 4):
                        correct = rng.random() < 0.8
                        statements.append(builder.make("answered", at + timedelta(minutes=5 * question),
                                                       question=question, correct=correct))
                if not finished:
                    continue
                done_at = at + timedelta(minutes=rng.randint(20, 90))
                if course.assessed:
                    score = rng.randint(45, 100) if attempt == attempts else rng.randint(30, 69)
                    verb = "passed" if score >= 70 else "failed"
                    statements.append(builder.make(verb, done_at, score=score,
                                                   duration_minutes=int((done_at - at).total_seconds() // 60)))
                    if verb == "passed":
                        statements.append(builder.make("completed", done_at + timedelta(seconds=1)))
                else:
                    statements.append(builder.make("completed", done_at,
                                                   duration_minutes=int((done_at - at).total_seconds() // 60)))
    return statements


class _StatementBuilder:
    def __init__(self, tenant: DemoTenant, course: DemoCourse, actor: dict[str, Any], registration: str,
                 attempt: int) -> None:
        self.tenant, self.course, self.actor = tenant, course, actor
        self.registration, self.attempt = registration, attempt

    def make(self, verb_key: str, at: datetime, *, score: int | None = None, duration_minutes: int | None = None,
             question: int | None = None, correct: bool | None = None) -> dict[str, Any]:
        verb_id, verb_display = VERBS[verb_key]
        course_id = course_iri(self.tenant, self.course)
        key = f"{self.tenant.slug}/{self.actor['mbox']}/{self.course.slug}/{self.attempt}/{verb_key}/{question}"
        statement: dict[str, Any] = {
            "id": str(uuid.uuid5(DEMO_NAMESPACE, key)),
            "actor": self.actor,
            "verb": {"id": verb_id, "display": {"en-US": verb_display}},
            "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "context": {
                "registration": self.registration,
                "platform": "learnhub demo",
                "contextActivities": {"category": [{"id": f"https://{self.tenant.domain}/categories/"
                                                          f"{self.course.category}", "objectType": "Activity"}]},
                "extensions": {"https://learnhub.local/xapi/extensions/attempt": self.attempt},
            },
        }
        if question is None:
            statement["object"] = {"objectType": "Activity", "id": course_id, "definition": {
                "name": {"en-US": self.course.title},
                "type": "http://adlnet.gov/expapi/activities/course",
                "extensions": {"https://learnhub.local/xapi/extensions/validity-months": self.course.validity_months,
                               "https://learnhub.local/xapi/extensions/mandatory": self.course.mandatory}}}
        else:
            statement["object"] = {"objectType": "Activity", "id": f"{course_id}/quiz/q{question}", "definition": {
                "name": {"en-US": f"{self.course.title}: question {question}"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "true-false",
                "correctResponsesPattern": ["true"]}}
            statement["context"]["contextActivities"]["parent"] = [{"id": course_id, "objectType": "Activity"}]
            statement["result"] = {"success": bool(correct), "response": "true" if correct else "false"}
        if score is not None:
            statement["result"] = {"score": {"scaled": score / 100, "raw": score, "min": 0, "max": 100},
                                   "success": verb_key == "passed", "completion": verb_key == "passed"}
        if duration_minutes is not None:
            statement.setdefault("result", {})["duration"] = f"PT{duration_minutes}M"
            if verb_key == "completed":
                statement["result"]["completion"] = True
        return statement


def demo_roles(person: DemoPerson) -> list[str]:
    return sorted({person.role, *EXTRA_ROLES.get(person.email, ())})


def demo_managers(tenant: DemoTenant) -> dict[str, str | None]:
    """Who each person reports to (by e-mail): learners to a foreman of their department (spread
    evenly), foremen to their department's manager, managers to the executive; where a department
    has no foreman or manager, the next level up."""
    executive = next(p for p in tenant.people if "executive" in demo_roles(p))
    by_department: dict[tuple[str, str], list[DemoPerson]] = {}
    for person in tenant.people:
        by_department.setdefault((person.department, person.role), []).append(person)
    managers: dict[str, str | None] = {}
    seen: dict[str, int] = {}
    for person in tenant.people:
        manager = [m for m in by_department.get((person.department, "manager"), []) if m != person]
        foremen = by_department.get((person.department, "supervisor"), [])
        boss: DemoPerson | None = None
        if person == executive or person.role in ("org_admin", "ld_admin"):
            boss = None
        elif person.role == "manager":
            boss = executive
        elif person.role == "supervisor":
            boss = manager[0] if manager else executive
        elif foremen:
            index = seen.get(person.department, 0)
            seen[person.department] = index + 1
            boss = foremen[index % len(foremen)]
        else:
            boss = manager[0] if manager else executive
        managers[person.email] = boss.email if boss else None
    return managers


async def load_demo_people(db: Database, tenant: Tenant, demo: DemoTenant) -> int:
    """Create the tenant's people who are missing, with roles, departments and reporting lines.

    People who already exist are left exactly as they are (an admin may have changed them), so a
    second run changes nothing. Returns how many were created.
    """
    from sqlalchemy import Connection

    from provisioning.ops.people import create_person, find_person_by_email, update_person
    from provisioning.passwords import hash_password_async

    missing = await db.read(lambda conn: [p for p in demo.people
                                          if find_person_by_email(conn, tenant.id, p.email) is None])
    if not missing:
        return 0
    password_hash = await hash_password_async(DEMO_PASSWORD)
    managers = demo_managers(demo)

    def run(conn: Connection) -> int:
        created: dict[str, str] = {}
        for person in missing:
            given, _, family = person.name.partition(" ")
            found = create_person(conn, tenant.id, {
                "email": person.email, "given_name": given, "family_name": family, "display_name": person.name,
                "job_title": person.job_title, "department": person.department,
            }, actor="demo", roles=demo_roles(person), password_hash=password_hash)
            created[person.email] = found.person_id
        for email, person_id in created.items():
            manager_email = managers[email]
            if manager_email is None:
                continue
            manager = find_person_by_email(conn, tenant.id, manager_email)
            if manager is not None:
                update_person(conn, tenant.id, person_id, {"manager_id": manager.person_id}, actor="demo")
        return len(created)

    return await db.transaction(run)


def demo_enrolments(demo: DemoTenant) -> list[str]:
    """Who is enrolled in the demo courses (by e-mail): every person whose main role is learner."""
    return [person.email for person in demo.people if person.role == "learner"]


async def load_demo_courses(db: Database, tenant: Tenant, demo: DemoTenant, content_root: Path) -> tuple[int, int]:
    """Import the courses built from hub/demo_courses and enrol the demo learners in each.

    Goes through the normal import path (scorm_player.ops.packages.import_package) and the catalogue's
    enrolment; both are idempotent, so a second run changes nothing. Returns (packages created,
    registrations created).
    """
    import asyncio

    from sqlalchemy import Connection

    from hub.demo_courses import build_demo_courses
    from provisioning.ops.people import find_person_by_email
    from scorm_player.ops.packages import import_package
    from scorm_player.ops.runtime import enrol_person

    emails = demo_enrolments(demo)
    packages_created = registrations_created = 0
    with tempfile.TemporaryDirectory(prefix="learnhub-demo-courses-") as folder:
        built = await asyncio.to_thread(build_demo_courses, Path(folder))
        for course in built:
            imported = await import_package(db, tenant.id, course.path, content_root=content_root, actor="demo",
                                            source_name=course.path.name)
            packages_created += imported.created

            def enrol(conn: Connection, package_id: str = imported.id) -> int:
                created = 0
                for email in emails:
                    person = find_person_by_email(conn, tenant.id, email)
                    if person is not None:
                        created += enrol_person(conn, tenant.id, package_id, person.pk, "demo")[1]
                return created

            registrations_created += await db.transaction(enrol)
    return packages_created, registrations_created


async def load_demo(db: Database, *, content_root: Path | None = None) -> int:
    """Create both demo tenants, their documented credentials, statements and (given the content root
    packages are extracted to) the demo courses with enrolments; print the credentials."""
    from lrs.ops.credentials import Principal, authority_for, create_credential
    from lrs.ops.statements import store_statements
    from lrs.scopes import ALL, permissions

    for demo in DEMO_TENANTS:
        tenant: Tenant = await ensure_tenant(db, demo.slug, demo.name)
        try:
            issued = await create_credential(db, tenant.id, scopes=ALL, label=f"{demo.name} demo client",
                                             actor="demo", key=demo.credential_key, secret=demo.credential_secret)
            credential_id = issued.id
        except Conflict:
            credential_id = 0
        people = await load_demo_people(db, tenant, demo)
        principal = Principal(tenant.id, tenant.slug, credential_id, demo.credential_key, frozenset({ALL}),
                              authority_for(tenant.slug, demo.credential_key, f"{demo.name} demo client"),
                              permissions(frozenset({ALL})))
        statements = demo_statements(demo)
        for start in range(0, len(statements), 500):
            await store_statements(db, principal, statements[start:start + 500], "1.0.3")
        courses = ""
        if content_root is not None:
            packages, registrations = await load_demo_courses(db, tenant, demo, content_root)
            courses = f"; {packages} course packages imported, {registrations} enrolments"
        print(f"demo tenant {demo.slug}: {people} people created, password {DEMO_PASSWORD}; "
              f"{len(statements)} statements{courses}; "
              f"LRS key {demo.credential_key} secret {demo.credential_secret}", flush=True)
    return 0
