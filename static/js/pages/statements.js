// Statement browser: the organisation's xAPI statements with filters, paging and the raw JSON.
import { openDialog } from "../components/dialog.js";
import { formatDate, h, pageHeader } from "../components/dom.js";
import { createTable } from "../components/table.js";

const ADL = "http://adlnet.gov/expapi/verbs/";
const VERBS = ["completed", "passed", "failed", "launched", "initialized", "terminated", "answered", "attempted",
  "experienced", "progressed", "suspended", "resumed", "scored", "satisfied", "waived", "voided"];

function lang(map) {
  if (!map || typeof map !== "object") return "";
  return map["en-US"] || map["en-GB"] || map.en || Object.values(map)[0] || "";
}

function actorName(actor) {
  if (!actor) return "—";
  const ifi = actor.mbox ? actor.mbox.replace(/^mailto:/, "") : actor.account ? actor.account.name : actor.openid || actor.mbox_sha1sum || "";
  return h("div", {}, actor.name || ifi, actor.name && ifi ? h("span", { class: "sub" }, ifi) : null);
}

function objectName(object) {
  if (!object) return "—";
  if (object.objectType === "StatementRef") return h("span", {}, "statement ", h("code", {}, object.id));
  if (object.objectType === "Agent" || object.objectType === "Group") return actorName(object);
  const name = lang(object.definition && object.definition.name);
  return h("div", {}, name || object.id, name ? h("span", { class: "sub mono" }, object.id) : null);
}

function resultText(result) {
  if (!result) return h("span", { class: "muted" }, "—");
  const parts = [];
  if (result.score && typeof result.score.scaled === "number") parts.push(`${Math.round(result.score.scaled * 100)}%`);
  else if (result.score && typeof result.score.raw === "number") parts.push(String(result.score.raw));
  if (result.success === true) parts.push(h("span", { class: "badge badge-success" }, "success"));
  if (result.success === false) parts.push(h("span", { class: "badge badge-danger" }, "failure"));
  if (result.completion === true) parts.push(h("span", { class: "badge" }, "complete"));
  return parts.length ? h("div", { class: "badges" }, parts) : h("span", { class: "muted" }, "—");
}

function showRaw(statement) {
  openDialog({ title: "Statement", wide: true, content: h("div", { class: "form" },
    h("p", { class: "muted mono" }, statement.id),
    h("pre", { class: "json", tabindex: "0", "aria-label": "Raw statement JSON" }, JSON.stringify(statement, null, 2))) });
}

export default {
  path: "/statements",
  title: "Statements",
  section: "Learning records",
  icon: "statements",
  permissions: ["statements.read"],
  description: "Browse the xAPI learning records",
  async render(container, ctx) {
    container.append(pageHeader("Statements",
      "Every learning record in your organisation's LRS, newest first. Filter by person, verb, activity or the date it was stored."));
    const personNote = h("div", { class: "alert alert-info", hidden: true });
    container.append(personNote);
    const table = createTable({
      caption: "Statements",
      pageSize: 25,
      rowKey: (s) => s.id,
      columns: [
        { key: "stored", label: "Stored", render: (s) => h("span", { class: "nowrap", title: `timestamp ${s.timestamp}` }, formatDate(s.stored)) },
        { key: "actor", label: "Actor", render: (s) => actorName(s.actor) },
        { key: "verb", label: "Verb", render: (s) => h("span", { class: "verb", title: s.verb.id }, lang(s.verb.display) || s.verb.id.split("/").pop()) },
        { key: "object", label: "Object", render: (s) => objectName(s.object) },
        { key: "result", label: "Result", render: (s) => resultText(s.result) },
        { key: "raw", label: "", class: "num", render: (s) => h("button", { type: "button", class: "btn btn-sm", onClick: () => showRaw(s), "aria-label": `Raw JSON of statement ${s.id}` }, "{ } Raw") },
      ],
      loadCursor: async ({ cursor, limit, filters }) => {
        const data = await ctx.api.get("statements", { cursor, limit, agent: filters.agent, verb: filters.verb, activity: filters.activity, since: filters.since, until: filters.until });
        personNote.hidden = !data.person;
        personNote.textContent = data.person ? `Showing the statements of ${data.person.name} (${data.person.email || data.person.id}), under every identity they have.` : "";
        return { items: data.statements, next: data.next_cursor };
      },
      filters: [
        { name: "agent", label: "Person", type: "search", placeholder: "e-mail or person id", value: ctx.query.get("agent") || "" },
        { name: "verb", label: "Verb", type: "select", value: ctx.query.get("verb") || "", options: [["", "Any verb"], ...VERBS.map((v) => [`${ADL}${v}`, v])] },
        { name: "activity", label: "Activity", type: "text", placeholder: "activity IRI", value: ctx.query.get("activity") || "" },
        { name: "since", label: "Stored from", type: "date" },
        { name: "until", label: "Stored to", type: "date" },
      ],
      empty: { icon: "statements", title: "No statements yet",
        text: "Statements arrive when an LMS or course posts xAPI to /xapi/ with an LRS credential. Create one under LRS credentials." },
    });
    container.append(table.element);
  },
};
