// A people picker: a search box that asks /people as the user types (debounced) and lists matches with a
// button each. Used wherever people are added to something (group members, course assignment).
import { clear, h } from "./dom.js";

export function peopleSearch(ctx, { id, placeholder = "Type a name or e-mail", actionLabel = "+ Add",
  exclude = () => new Set(), onPick }) {
  const input = h("input", { type: "search", id: `${id}-search`, placeholder, autocomplete: "off",
    "aria-describedby": `${id}-search-help` });
  const results = h("ul", { class: "plain-list", id: `${id}-results`, "aria-live": "polite" });
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      clear(results);
      const q = input.value.trim();
      if (!q) return;
      const found = await ctx.api.get("people", { q, limit: 8, active: "true" });
      const skip = exclude();
      const candidates = found.items.filter((p) => !skip.has(p.id));
      if (!candidates.length) { results.append(h("li", { class: "muted" }, "Nobody else matches.")); return; }
      for (const p of candidates) {
        results.append(h("li", {}, h("button", { type: "button", class: "btn btn-sm", onClick: async () => {
          clear(results);
          input.value = "";
          await onPick(p);
        } }, actionLabel), " ", p.name, h("span", { class: "muted" }, ` · ${p.email}`)));
      }
    }, 250);
  });
  return { input, results };
}
