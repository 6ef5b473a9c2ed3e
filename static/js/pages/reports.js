// Course reports: every SCORM course with its results, one course's learners (CSV export), and one learner's
// attempts and interactions. Tenant-wide with reports.read, one's reporting line with team_reports.read.
import { formatDate, h, pageHeader } from "../components/dom.js";
import { createTable } from "../components/table.js";
import { formatDuration, formatScore, statusLabel } from "./learning.js";

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
      { key: "registrations", label: "Enrolled", sortable: true },
      { key: "completed", label: "Completed", sortable: true, text: (c) => `${c.completed} (${percent(c.completed, c.registrations)})` },
      { key: "passed", label: "Passed", sortable: true },
      { key: "failed", label: "Failed", sortable: true },
      { key: "average_score", label: "Average score", text: (c) => formatScore(c.average_score) },
    ],
    empty: { icon: "chart", title: "No course results yet", text: "Results appear here once people start SCORM courses." },
  }).element);
}

async function renderCourse(container, ctx, packageId) {
  const report = await ctx.api.get(`reports/courses/${encodeURIComponent(packageId)}`);
  container.append(h("p", {}, h("a", { href: "#/reports" }, "← All courses"), " ",
    h("a", { class: "btn btn-sm", id: "export-csv", href: `/api/v1/reports/courses/${encodeURIComponent(packageId)}/export.csv`,
      download: "" }, "Export CSV")));
  container.append(h("h2", {}, report.package.title));
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
      { key: "attempt_count", label: "Attempts", sortable: true },
      { key: "completed_at", label: "Completed", sortable: true, text: (r) => formatDate(r.completed_at) },
    ],
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
        + `${formatDuration(registration.total_time_seconds)} · ${registration.attempt_count} attempt(s)`));
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
