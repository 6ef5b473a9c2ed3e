// Empty states that say what to do next, and the full-page "not allowed" / "not found" states.
import { h } from "./dom.js";
import { icon as iconNode } from "./icons.js";

export function emptyState({ icon = "plus", title, text, action } = {}) {
  return h("div", { class: "empty" },
    h("div", { class: "empty-icon", "aria-hidden": "true" }, iconNode(icon, { size: 22 })),
    h("h3", {}, title),
    text ? h("p", {}, text) : null,
    action ? h("button", { type: "button", class: "btn btn-primary", onClick: action.onClick }, action.label) : null);
}

export function statePage({ icon = "question", title, text, link } = {}) {
  return h("div", { class: "state-page card card-body", role: "alert" },
    h("div", { class: "empty-icon", "aria-hidden": "true" }, iconNode(icon, { size: 22 })),
    h("h1", {}, title),
    h("p", { class: "muted" }, text),
    link ? h("a", { class: "btn", href: link.href }, link.label) : null);
}
