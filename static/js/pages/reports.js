// Course reports: every SCORM and cmi5 course with its results, one course's learners (CSV export), and one
// learner's attempts and interactions (for cmi5: each AU's results and the launch sessions). Tenant-wide with
// reports.read, one's reporting line with team_reports.read.
import { formatDate, h, pageHeader } from "../components/dom.js";
import { createTable } from "../components/table.js";
import { FORMATS, formatDuration, formatScore, statusLabel } from "./learning.js";

function percent(part, whole) {
  return whole ? `${Math.round((part * 100) / whole)}%` : "—";
}

async function renderOverview(container, ctx) {
  const { courses } = await ctx.api.get("reports/courses");
  container.append(createTable({
    caption: "Courses",
    rowKey: (c) => c.package_id,
    rows: courses,
    sort: "title",
    columns: [
      { key: "title", label: "Course", sortable: true,
        render: (c) => h("a", { href: `#/reports?course=${encodeURIComponent(c.package_id)}` }, c.title) },
      { key: "standard", label: "Format", sortable: true, text: (c) => FORMATS[c.standard] || c.standard },
      { key: "registrations", label: "Enrolled", sortable: true },
      { key: "completed", label: "Completed", sortable: true, text: (c) => `${c.completed} (${percent(c.completed, c.registrations)})` },
      { key: "passed", label: "Passed", sortable: true },
      { key: "failed", label: "Failed", sortable: true },
      { key: "average_score", label: "Average score", text: (c) => formatScore(c.average_score) },
    ],
    empty: { icon: "chart", title: "No course results yet", text: "Results appear here once people start SCORM or cmi5 courses." },
  }).element);
}

async function renderCourse(container, ctx, packageId) {
  const report = await ctx.api.get(`reports/courses/${encodeURIComponent(packageId)}`);
  container.append(h("p", {}, h("a", { href: "#/reports" }, "← All courses"), " ",
    h("a", { class: "btn btn-sm", id: "export-csv", href: `/api/v1/reports/courses/${encodeURIComponent(packageId)}/export.csv`,
      download: "" }, "Export CSV")));
  container.append(h("h2", {}, report.package.title));
  const cmi5 = report.package.standard === "cmi5";
  container.append(createTable({
    caption: `Learners of ${report.package.title}`,
    rowKey: (r) => r.id,
    rows: report.registrations,
    sort: "learner",
    columns: [
      { key: "learner", label: "Learner", sortable: true, text: (r) => r.learner.name,
        render: (r) => h("a", { href: `#/reports?learner=${encodeURIComponent(r.learner.id)}` }, r.learner.name) },
      { key: "status", label: "Status", sortable: true, text: statusLabel },
      { key: "score", label: "Score", text: (r) => formatScore(r.score_scaled) },
      { key: "time", label: "Time", text: (r) => formatDuration(r.total_time_seconds) },
      { key: "attempt_count", label: cmi5 ? "Sessions" : "Attempts", sortable: true },
      cmi5 ? { key: "satisfied", label: "Satisfied", sortable: true, text: (r) => (r.satisfied ? "Yes" : "No") } : null,
      { key: "completed_at", label: "Completed", sortable: true, text: (r) => formatDate(r.completed_at) },
    ].filter(Boolean),
    empty: { icon: "team", title: "Nobody is enrolled", text: "No one you can report on has started this course." },
  }).element);
}

async function renderLearner(container, ctx, personId) {
  const report = await ctx.api.get(`reports/learners/${encodeURIComponent(personId)}`);
  container.append(h("p", {}, h("a", { href: "#/reports" }, "← All courses"), " ",
    h("a", { class: "btn btn-sm", href: `/api/v1/reports/learners/${encodeURIComponent(personId)}/export.csv`, download: "" },
      "Export CSV")));
  container.append(h("h2", {}, report.learner.name));
  if (!report.registrations.length) container.append(h("p", { class: "muted" }, "No course registrations."));
  for (const registration of report.registrations) {
    const section = h("section", { class: "card card-body learner-course", dataset: { registration: registration.id } },
      h("h3", {}, registration.title),
      h("p", {}, `${statusLabel(registration)} · score ${formatScore(registration.score_scaled)} · `
        + `${formatDuration(registration.total_time_seconds)} · ${registration.attempt_count} `
        + `${registration.standard === "cmi5" ? "session(s)" : "attempt(s)"}`));
    if (registration.standard === "cmi5") {
      appendCmi5(section, registration);
      container.append(section);
      continue;
    }
    for (const attempt of registration.attempts) {
      section.append(h("h4", {}, `Attempt ${attempt.number} · started ${formatDate(attempt.started_at)}`
        + (attempt.ended_at ? ` · ended ${formatDate(attempt.ended_at)}` : attempt.suspended ? " · suspended" : "")));
      for (const activity of attempt.activities) {
        section.append(h("p", {}, `${activity.activity_id}: ${activity.completion_status}, ${activity.success_status}, `
          + `score ${formatScore(activity.score_scaled)}, ${formatDuration(activity.total_time_seconds)}`));
        if (activity.interactions.length) {
          section.append(createTable({
            caption: `Interactions of ${activity.activity_id}`,
            rows: activity.interactions,
            columns: [
              { key: "id", label: "Question" }, { key: "type", label: "Type" },
              { key: "response", label: "Response" }, { key: "result", label: "Result" },
            ],
          }).element);
        }
      }
    }
    container.append(section);
  }
}

function flags(au) {
  const found = [au.satisfied && "satisfied", au.completed && "completed", au.passed && "passed", au.failed && "failed",
    au.waived && `waived (${au.waive_reason})`].filter(Boolean);
  return found.length ? found.join(", ") : "not satisfied yet";
}

/** A cmi5 registration's AUs (results per AU) and launch sessions. */
function appendCmi5(section, registration) {
  section.append(createTable({
    caption: `Assignable units of ${registration.title}`,
    rowKey: (au) => String(au.index),
    rows: registration.aus || [],
    columns: [
      { key: "title", label: "AU" },
      { key: "state", label: "Result", text: flags },
      { key: "score", label: "Score", text: (au) => formatScore(au.score_scaled) },
      { key: "sessions", label: "Sessions" },
      { key: "time", label: "Time", text: (au) => formatDuration(au.total_time_seconds) },
    ],
    empty: { icon: "course", title: "Not started", text: "The learner has not opened this course yet." },
  }).element);
  if ((registration.cmi5_sessions || []).length) {
    section.append(createTable({
      caption: `Sessions of ${registration.title}`,
      rowKey: (s) => s.session_id,
      rows: registration.cmi5_sessions,
      columns: [
        { key: "au_title", label: "AU" },
        { key: "launch_mode", label: "Mode" },
        { key: "launched_at", label: "Launched", text: (s) => formatDate(s.launched_at) },
        { key: "ended", label: "Ended", text: (s) => (s.ended === "open" ? "still open" : `${s.ended} ${formatDate(s.ended_at)}`) },
        { key: "duration", label: "Duration", text: (s) => (s.duration_seconds === null ? "—" : formatDuration(s.duration_seconds)) },
      ],
    }).element);
  }
}

export default {
  path: "/reports",
  title: "Course reports",
  section: "Reports",
  icon: "chart",
  permissions: ["reports.read", "team_reports.read"],
  description: "Completion, scores, time and answers per course and per learner",
  async render(container, ctx) {
    container.append(pageHeader("Course reports", ctx.can("reports.read")
      ? "Results of everyone in your organisation." : "Results of the people who report to you."));
    const course = ctx.query.get("course");
    const learner = ctx.query.get("learner");
    if (course) await renderCourse(container, ctx, course);
    else if (learner) await renderLearner(container, ctx, learner);
    else await renderOverview(container, ctx);
  },
};
