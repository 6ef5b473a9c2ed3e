// The one way the UI talks to the server: JSON in and out, the CSRF header on state changes,
// and the error envelope {"error": {status, code, message, field}} turned into an ApiError.

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

let csrfToken = "";
let mePromise = null;

/** The signed-in person (GET /auth/me), loaded once; null when nobody is signed in. */
export function loadMe({ refresh = false } = {}) {
  if (!mePromise || refresh) {
    mePromise = fetch("/auth/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(async (response) => {
        if (response.status === 401) return null;
        const body = await response.json();
        if (!response.ok) throw toError(response.status, body);
        csrfToken = body.csrf_token;
        return body;
      });
  }
  return mePromise;
}

function toError(status, body) {
  const error = body && body.error ? body.error : {};
  return new ApiError(status, error.code || "error", error.message || `request failed (${status})`, error.field);
}

function withQuery(path, params) {
  if (!params) return path;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}${path.includes("?") ? "&" : "?"}${text}` : path;
}

/** fetch() for JSON APIs; `path` is absolute ("/auth/...") or relative to /api/v1/ ("people"). */
export async function request(method, path, { body, params } = {}) {
  const url = withQuery(path.startsWith("/") ? path : `/api/v1/${path}`, params);
  const headers = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") {
    if (!csrfToken && !url.startsWith("/auth/login")) await loadMe();
    headers["X-CSRF-Token"] = csrfToken;
  }
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, "network", "the server cannot be reached; check your connection and try again");
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    if (response.status === 401 && !url.startsWith("/auth/login")) {
      window.dispatchEvent(new CustomEvent("learnhub:signed-out"));
    }
    throw toError(response.status, data);
  }
  return data;
}

export const api = {
  get: (path, params) => request("GET", path, { params }),
  post: (path, body) => request("POST", path, { body: body ?? {} }),
  put: (path, body) => request("PUT", path, { body: body ?? {} }),
  patch: (path, body) => request("PATCH", path, { body: body ?? {} }),
  del: (path) => request("DELETE", path),
};

export async function signOut() {
  try {
    await request("POST", "/auth/logout");
  } finally {
    window.location.assign("/login");
  }
}
