// One cmi5 course of the signed-in learner (#/learning/<registration>): the registration's roll-up, the course
// tree with each block's and AU's satisfied/completed/passed state, and a Launch button per AU that opens
// /cmi5/launch/<registration>/<au>. The AU's launchMethod decides where: OwnWindow in a new window, AnyWindow in
// this one (the AU comes back to #/learning through LMS.LaunchData's returnURL).
import { clear, formatDate, h, pageHeader } from "../components/dom.js";
import { formatDuration, formatScore, statusLabel } from "./learning.js";

const MOVE_ON = {
  Completed: "Complete it",
  Passed: "Pass it",
  CompletedAndPassed: "Complete and pass it",
  CompletedOrPassed: "Complete or pass it",
  NotApplicable: "Nothing required",
};

function badge(kind, text) {
  return h("span", { class: `badge badge-${kind}`, dataset: { flag: text.toLowerCase() } }, text);
}

/** The state badges of an AU or a block: satisfied first, then what the AU reported. */
export function stateBadges(node) {
  const found = [];
  if (node.satisfied) found.push(badge("success", "Satisfied"));
  if (node.type === "au") {
    if (node.completed) found.push(badge("primary", "Completed"));
    if (node.passed) found.push(badge("success", "Passed"));
    if (node.failed) found.push(badge("danger", "Failed"));
    if (node.waived) found.push(badge("warning", "Waived"));
    if (!found.length) found.push(h("span", { class: "badge", dataset: { flag: "not-satisfied" } }, "Not satisfied yet"));
  } else if (!node.satisfied) {
    found.push(h("span", { class: "badge", dataset: { flag: "not-satisfied" } }, "Not satisfied yet"));
  }
  return h("span", { class: "badges" }, found);
}

/** The Launch link: a new window for OwnWindow AUs, this window for AnyWindow ones (cmi5 §13.1.4). */
export function launchLink(au) {
  const ownWindow = au.launch_method === "OwnWindow";
  const label = au.satisfied ? "Launch again" : "Launch";
  return h("a", {
    class: `btn btn-sm${au.satisfied ? "" : " btn-primary"}`, href: au.launch_url,
    target: ownWindow ? "_blank" : null, rel: ownWindow ? "noopener" : null,
    "aria-label": `${label}: ${au.title}${ownWindow ? " (opens a new window)" : ""}`,
    dataset: { action: "launch", au: String(au.index), launchMethod: au.launch_method },
  }, label);
}

function auCard(au, depth) {
  const facts = [`To satisfy it: ${MOVE_ON[au.move_on] || au.move_on}`];
  if (au.mastery_score !== null && au.mastery_score !== undefined) facts.push(`pass mark ${formatScore(au.mastery_score)}`);
  if (au.score_scaled !== null && au.score_scaled !== undefined) facts.push(`score ${formatScore(au.score_scaled)}`);
  return h("li", { class: "card card-body cmi5-au", dataset: { au: String(au.index), satisfied: String(au.satisfied) } },
    h(depth ? "h4" : "h3", {}, au.title), " ", stateBadges(au),
    h("p", { class: "muted" }, facts.join(" · ")),
    h("p", {}, launchLink(au)));
}

function nodes(children, depth = 0) {
  return h("ul", { role: "list", class: "plain-list cmi5-nodes" }, children.map((child) => (child.type === "au" ? auCard(child, depth)
    : h("li", { class: "card card-body cmi5-block", dataset: { block: child.publisher_id, satisfied: String(child.satisfied) } },
      h("h3", {}, child.title), " ", stateBadges(child), nodes(child.children, depth + 1)))));
}

function allAus(children) {
  return children.flatMap((child) => (child.type === "au" ? [child] : allAus(child.children)));
}

function summary(registration) {
  const row = (label, value) => [h("dt", {}, label), h("dd", {}, value)];
  return h("section", { class: "card card-body cmi5-summary", "aria-label": "Your progress" },
    h("dl", { class: "details" },
      row("Status", h("span", { class: "badge", id: "cmi5-status", dataset: { status: registration.completion_status } },
        statusLabel(registration))),
      row("Course", stateBadges(registration.course)),
      row("Score", formatScore(registration.score_scaled)),
      row("Time spent", formatDuration(registration.total_time_seconds)),
      row("Sessions", String(registration.attempt_count)),
      row("Completed", formatDate(registration.completed_at))));
}

export default {
  path: "/learning/:id",
  title: "cmi5 course",
  section: "Learning",
  nav: false,
  permissions: ["learn"],
  async render(container, ctx) {
    const registration = await ctx.api.get(`cmi5/registrations/${encodeURIComponent(ctx.params.id)}`);
    if (!ctx.isCurrent()) return;
    document.title = `${registration.title} · learnhub`;
    container.append(
      h("p", {}, h("a", { href: "#/learning" }, "← My learning")),
      pageHeader(registration.title, "Launch each part of the course; your results appear here as you go."),
      summary(registration),
      h("h2", {}, "Course content"),
      nodes(registration.course.children));
    // An AU in its own window reports to the LRS while this page stays open: refresh once the learner is back.
    if (!allAus(registration.course.children).some((au) => au.launch_method === "OwnWindow")) return;
    const refresh = () => {
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", refresh);
      if (!ctx.isCurrent()) return;
      clear(container);
      this.render(container, ctx).catch((err) => ctx.toastError(err.message));
    };
    const onVisible = () => { if (document.visibilityState === "visible") refresh(); };
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", refresh);
  },
};
