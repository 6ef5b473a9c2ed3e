// My learning: the signed-in person's course registrations (SCORM and cmi5) with status, score and time, and a
// way back in: the SCORM player, or a cmi5 course's page with its AUs (#/learning/<id>, cmi5-course.js).
import { formatDate, h, pageHeader } from "../components/dom.js";
import { createTable } from "../components/table.js";

/** "1 h 5 min" from seconds. */
export function formatDuration(seconds) {
  const total = Math.round(Number(seconds) || 0);
  if (total < 60) return `${total} s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.round((total % 3600) / 60);
  return hours ? `${hours} h ${minutes} min` : `${minutes} min`;
}

export function formatScore(scaled) {
  return scaled === null || scaled === undefined ? "—" : `${Math.round(scaled * 100)}%`;
}

export const FORMATS = { "scorm_1.2": "SCORM 1.2", scorm_2004: "SCORM 2004", cmi5: "cmi5" };

function openLabel(r) {
  if (r.standard === "cmi5") return r.completion_status === "not attempted" ? "Start" : "Open";
  return r.completion_status === "not attempted" ? "Start" : r.completion_status === "completed" ? "Review" : "Resume";
}

export function statusLabel(registration) {
  if (registration.success_status === "passed") return "Passed";
  if (registration.success_status === "failed") return "Failed";
  return { completed: "Completed", incomplete: "In progress", "not attempted": "Not started" }[registration.completion_status]
    || registration.completion_status;
}

export default {
  path: "/learning",
  title: "My learning",
  section: "Learning",
  icon: "book",
  permissions: ["learn"],
  description: "Your courses: where you are, your results, and a way back in",
  async render(container, ctx) {
    container.append(pageHeader("My learning", "Courses you are enrolled in. Open one to continue where you left off.",
      h("a", { class: "btn", href: "#/catalog" }, "Find a course")));
    const { registrations } = await ctx.api.get("registrations/mine");
    const table = createTable({
      caption: "My courses",
      rowKey: (r) => r.id,
      rows: registrations,
      sort: "title",
      columns: [
        { key: "title", label: "Course", sortable: true },
        { key: "status", label: "Status", sortable: true, text: statusLabel,
          render: (r) => h("span", { class: "badge", dataset: { status: r.completion_status } }, statusLabel(r)) },
        { key: "score", label: "Score", text: (r) => formatScore(r.score_scaled) },
        { key: "time", label: "Time spent", text: (r) => formatDuration(r.total_time_seconds) },
        { key: "standard", label: "Format", sortable: true, text: (r) => FORMATS[r.standard] || r.standard },
        { key: "attempt_count", label: "Attempts", sortable: true,
          text: (r) => (r.standard === "cmi5" ? `${r.attempt_count} session(s)` : String(r.attempt_count)) },
        { key: "updated_at", label: "Last activity", sortable: true, text: (r) => formatDate(r.updated_at) },
        { key: "open", label: "", render: (r) => h("a", { class: "btn btn-sm btn-primary", href: r.player_url,
          dataset: { action: "open", standard: r.standard }, "aria-label": `${openLabel(r)}: ${r.title}` }, openLabel(r)) },
      ],
      empty: { icon: "book", title: "You are not enrolled in any course yet",
        text: "Open the course catalogue to enrol, or ask your training team to assign you a course." },
    });
    container.append(table.element);
  },
};
