// Data tables with sorting, filtering and paging; the data can be local, paged by the server with
// offset/total, or paged by an opaque cursor (audit log, statements).
import { ApiError } from "../api.js";
import { clear, h, uid } from "./dom.js";
import { emptyState } from "./empty.js";

/**
 * createTable(options) → {element, reload(), setRows(rows)}
 *
 * options:
 *   columns: [{key, label, sortable, render(row) → Node|string, text(row) → string (sort and search),
 *              class, headerClass}]
 *   caption: accessible name of the table
 *   filters: [{name, label, type: "search"|"select"|"text"|"date", options: [[value, label]], placeholder,
 *              value, match(row, value) (local mode)}]
 *   one of:
 *     rows: [...]                                                      local: sorted/filtered/paged here
 *     load({sort, order, offset, limit, filters}) → {items, total}      server paging
 *     loadCursor({cursor, limit, filters}) → {items, next}              cursor paging (newest first)
 *   sort, order ("asc"|"desc"), pageSize
 *   empty: {icon, title, text, action} shown when there is no data at all;
 *   rowKey(row): a stable key (data-key on the row)
 */
export function createTable(options) {
  const {
    columns, filters = [], pageSize = 25, caption = "", rowKey,
  } = options;
  const mode = options.load ? "server" : options.loadCursor ? "cursor" : "local";
  const state = {
    sort: options.sort || (columns.find((c) => c.sortable) || {}).key || null,
    order: options.order || "asc",
    offset: 0,
    filters: Object.fromEntries(filters.map((f) => [f.name, f.value ?? ""])),
    cursors: [null],
    page: 0,
  };
  let localRows = options.rows || [];
  let requestSerial = 0;

  const tbody = h("tbody");
  const status = h("div", { class: "table-status", "aria-live": "polite" });
  const pager = h("div", { class: "pager" });
  const body = h("div", { class: "table-scroll" });
  const headerRow = h("tr");
  const table = h("table", { class: "data" },
    caption ? h("caption", { class: "visually-hidden" }, caption) : null,
    h("thead", {}, headerRow), tbody);

  function renderHeader() {
    clear(headerRow);
    for (const column of columns) {
      const active = state.sort === column.key;
      const ariaSort = active ? (state.order === "asc" ? "ascending" : "descending") : "none";
      const label = column.sortable
        ? h("button", {
          type: "button", class: "sort-button", onClick: () => toggleSort(column.key),
          "aria-label": `Sort by ${column.label}`,
        }, column.label, h("span", { class: "sort-indicator", "aria-hidden": "true" },
          active ? (state.order === "asc" ? "▲" : "▼") : "↕"))
        : column.label;
      headerRow.append(h("th", { scope: "col", class: column.headerClass || column.class || "",
        "aria-sort": column.sortable ? ariaSort : false }, label));
    }
  }

  function toggleSort(key) {
    if (state.sort === key) state.order = state.order === "asc" ? "desc" : "asc";
    else { state.sort = key; state.order = "asc"; }
    state.offset = 0;
    reload();
  }

  let debounce = null;
  const toolbar = filters.length ? h("div", { class: "table-toolbar", role: "search" },
    filters.map((filter) => {
      const id = uid(`filter-${filter.name}`);
      let control;
      if (filter.type === "select") {
        control = h("select", { id, name: filter.name },
          (filter.options || []).map(([value, label]) => h("option", { value, selected: String(filter.value ?? "") === String(value) }, label)));
      } else {
        control = h("input", { id, name: filter.name, type: filter.type || "search", placeholder: filter.placeholder || "",
          value: filter.value ?? "", autocomplete: "off" });
      }
      const onChange = () => {
        state.filters[filter.name] = control.value;
        state.offset = 0;
        state.cursors = [null];
        state.page = 0;
        reload();
      };
      if (filter.type === "search" || filter.type === "text" || !filter.type) {
        control.addEventListener("input", () => { clearTimeout(debounce); debounce = setTimeout(onChange, 250); });
        control.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); clearTimeout(debounce); onChange(); } });
      } else {
        control.addEventListener("change", onChange);
      }
      filter.control = control;
      return h("div", { class: `field${filter.type === "search" ? " grow" : ""}` }, h("label", { for: id }, filter.label), control);
    })) : null;

  const footer = h("div", { class: "table-footer" }, status, pager);
  const element = h("div", { class: "card table-card" }, toolbar, body, footer);

  function filtersActive() {
    return Object.values(state.filters).some((v) => v !== "" && v !== undefined && v !== null);
  }

  function clearFilters() {
    for (const filter of filters) {
      state.filters[filter.name] = "";
      if (filter.control) filter.control.value = "";
    }
    state.offset = 0; state.cursors = [null]; state.page = 0;
    reload();
  }

  function cellText(column, row) {
    if (column.text) return String(column.text(row) ?? "");
    const value = row[column.key];
    return value === null || value === undefined ? "" : String(value);
  }

  function showRows(rows) {
    clear(tbody);
    for (const row of rows) {
      const tr = h("tr", { dataset: rowKey ? { key: rowKey(row) } : {} });
      for (const column of columns) {
        const content = column.render ? column.render(row) : cellText(column, row);
        tr.append(h("td", { class: column.class || "" }, content ?? ""));
      }
      tbody.append(tr);
    }
  }

  function showEmpty() {
    clear(body);
    if (filtersActive()) {
      body.append(emptyState({ icon: "search", title: "No matches", text: "Nothing matches these filters. Change or clear them.",
        action: { label: "Clear filters", onClick: clearFilters } }));
    } else {
      body.append(emptyState(options.empty || { title: "Nothing here yet" }));
    }
  }

  function showTable() {
    if (!body.contains(table)) { clear(body); body.append(table); }
  }

  function pagerButtons(hasPrev, hasNext, onPrev, onNext) {
    clear(pager);
    pager.append(
      h("button", { type: "button", class: "btn btn-sm", disabled: !hasPrev, onClick: onPrev, "aria-label": "Previous page" }, "‹ Previous"),
      h("button", { type: "button", class: "btn btn-sm", disabled: !hasNext, onClick: onNext, "aria-label": "Next page" }, "Next ›"));
  }

  function localView() {
    let rows = localRows.slice();
    for (const filter of filters) {
      const value = state.filters[filter.name];
      if (value === "" || value === undefined) continue;
      if (filter.match) rows = rows.filter((row) => filter.match(row, value));
      else if (filter.type === "search" || !filter.type) {
        const needle = String(value).toLowerCase();
        rows = rows.filter((row) => columns.some((c) => cellText(c, row).toLowerCase().includes(needle)));
      } else rows = rows.filter((row) => String(row[filter.name] ?? "") === String(value));
    }
    const column = columns.find((c) => c.key === state.sort);
    if (column) {
      const direction = state.order === "asc" ? 1 : -1;
      rows.sort((a, b) => {
        const x = column.sortValue ? column.sortValue(a) : cellText(column, a).toLowerCase();
        const y = column.sortValue ? column.sortValue(b) : cellText(column, b).toLowerCase();
        return (x < y ? -1 : x > y ? 1 : 0) * direction;
      });
    }
    return rows;
  }

  async function reload() {
    renderHeader();
    const serial = ++requestSerial;
    if (mode === "local") {
      const rows = localView();
      if (!localRows.length || !rows.length) {
        showEmpty();
        status.textContent = localRows.length ? "0 matches" : "";
        clear(pager);
        return;
      }
      if (state.offset >= rows.length) state.offset = 0;
      const page = rows.slice(state.offset, state.offset + pageSize);
      showTable();
      showRows(page);
      status.textContent = `${state.offset + 1}–${state.offset + page.length} of ${rows.length}`;
      pagerButtons(state.offset > 0, state.offset + pageSize < rows.length,
        () => { state.offset = Math.max(0, state.offset - pageSize); reload(); },
        () => { state.offset += pageSize; reload(); });
      return;
    }
    status.textContent = "Loading…";
    element.setAttribute("aria-busy", "true");
    try {
      if (mode === "server") {
        const result = await options.load({ sort: state.sort, order: state.order, offset: state.offset,
          limit: pageSize, filters: { ...state.filters } });
        if (serial !== requestSerial) return;
        if (!result.items.length) { showEmpty(); status.textContent = ""; clear(pager); return; }
        showTable();
        showRows(result.items);
        status.textContent = `${state.offset + 1}–${state.offset + result.items.length} of ${result.total}`;
        pagerButtons(state.offset > 0, state.offset + result.items.length < result.total,
          () => { state.offset = Math.max(0, state.offset - pageSize); reload(); },
          () => { state.offset += pageSize; reload(); });
      } else {
        const result = await options.loadCursor({ cursor: state.cursors[state.page], limit: pageSize,
          filters: { ...state.filters } });
        if (serial !== requestSerial) return;
        if (!result.items.length && state.page === 0) { showEmpty(); status.textContent = ""; clear(pager); return; }
        showTable();
        showRows(result.items);
        status.textContent = `Page ${state.page + 1} · ${result.items.length} shown`;
        state.cursors[state.page + 1] = result.next || null;
        pagerButtons(state.page > 0, Boolean(result.next),
          () => { state.page -= 1; reload(); },
          () => { state.page += 1; reload(); });
      }
    } catch (err) {
      if (serial !== requestSerial) return;
      clear(body);
      const message = err instanceof ApiError ? err.message : String(err);
      body.append(h("div", { class: "card-body" }, h("div", { class: "alert", role: "alert" }, message)));
      status.textContent = "";
      clear(pager);
    } finally {
      element.removeAttribute("aria-busy");
    }
  }

  function setRows(rows) {
    localRows = rows;
    reload();
  }

  body.append(h("div", { class: "loading" }, "Loading…"));
  if (mode !== "local" || options.rows) reload();
  return { element, reload, setRows };
}
