// A small set of line icons as inline SVG (no icon font, nothing to download, CSP-safe).
const PATHS = {
  home: "M3 11l9-7 9 7M5 10v10h5v-6h4v6h5V10",
  team: "M12 12a4 4 0 100-8 4 4 0 000 8zM4 21a8 8 0 0116 0",
  people: "M9 11a4 4 0 100-8 4 4 0 000 8zM2 21a7 7 0 0114 0M16 4a4 4 0 010 7M18 14a6 6 0 014 7",
  groups: "M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z",
  roles: "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z M9 12l2 2 4-4",
  statements: "M4 6h16M4 12h16M4 18h10",
  key: "M15 7a4 4 0 11-3.9 5H3v3h3v3h3v-3h2.1A4 4 0 0115 7z",
  sync: "M4 9h13l-3-3M20 15H7l3 3",
  lock: "M6 11h12v10H6zM8 11V7a4 4 0 018 0v4",
  audit: "M12 7v5l3 3M12 21a9 9 0 110-18 9 9 0 010 18z",
  plus: "M12 5v14M5 12h14",
  search: "M11 18a7 7 0 110-14 7 7 0 010 14zM21 21l-5-5",
  blocked: "M12 21a9 9 0 110-18 9 9 0 010 18zM5.6 5.6l12.8 12.8",
  question: "M9 9a3 3 0 116 0c0 2-3 2-3 4M12 17h.01",
  book: "M4 5a2 2 0 012-2h14v16H6a2 2 0 00-2 2zM4 21V5",
  chart: "M4 20V10M10 20V4M16 20v-7M22 20H2",
  course: "M3 7l9-4 9 4-9 4zM7 9v5c0 1.5 2.5 3 5 3s5-1.5 5-3V9",
};

export function icon(name, { size = 18, label = null } = {}) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "1.8");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("class", "icon");
  if (label) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", label); } else svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", PATHS[name] || PATHS.question);
  svg.append(path);
  return svg;
}

export const ICONS = Object.keys(PATHS);
