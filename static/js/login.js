// The sign-in page: organisation lookup (offers SSO when the organisation has it), password sign-in,
// errors next to the field the server names. After signing in, back to where the visitor was going.
import { ApiError, request } from "./api.js";

const form = document.getElementById("login-form");
const organisation = document.getElementById("organisation");
const email = document.getElementById("email");
const password = document.getElementById("password");
const formError = document.getElementById("form-error");
const ssoBox = document.getElementById("sso-box");
const ssoButton = document.getElementById("sso-button");
const submit = document.getElementById("sign-in");
const FIELDS = ["organisation", "email", "password"];

const remembered = window.localStorage.getItem("learnhub.organisation");
const fromQuery = new URLSearchParams(window.location.search).get("organisation");
organisation.value = fromQuery || remembered || "";
(organisation.value ? email : organisation).focus();

function clearErrors() {
  formError.hidden = true;
  for (const name of FIELDS) {
    const error = document.getElementById(`${name}-error`);
    error.hidden = true;
    error.textContent = "";
    document.getElementById(`field-${name}`).classList.remove("invalid");
    document.getElementById(name).removeAttribute("aria-invalid");
  }
}

function showError(message, field) {
  if (field && FIELDS.includes(field)) {
    const error = document.getElementById(`${field}-error`);
    error.textContent = message;
    error.hidden = false;
    document.getElementById(`field-${field}`).classList.add("invalid");
    const input = document.getElementById(field);
    input.setAttribute("aria-invalid", "true");
    input.focus();
  } else {
    formError.textContent = message;
    formError.hidden = false;
    formError.focus();
  }
}

let lookupSerial = 0;
let lookedUp = null;
async function lookUpOrganisation() {
  const slug = organisation.value.trim().toLowerCase();
  if (slug === lookedUp) return;
  lookedUp = slug;
  const serial = ++lookupSerial;
  if (!slug) { ssoBox.hidden = true; return; }
  try {
    const found = await request("GET", `/auth/organisations/${encodeURIComponent(slug)}`);
    if (serial !== lookupSerial) return;
    ssoButton.textContent = `Sign in with ${found.name}`;
    ssoButton.dataset.slug = found.slug;
    ssoBox.hidden = !found.sso;
  } catch {
    // Unknown organisations are reported on submit, with the same message as a wrong password.
    if (serial === lookupSerial) ssoBox.hidden = true;
  }
}

let lookupTimer = null;
organisation.addEventListener("input", () => { clearTimeout(lookupTimer); lookupTimer = setTimeout(lookUpOrganisation, 300); });
organisation.addEventListener("change", lookUpOrganisation);
if (organisation.value) lookUpOrganisation();

ssoButton.addEventListener("click", () => {
  const slug = ssoButton.dataset.slug;
  window.localStorage.setItem("learnhub.organisation", slug);
  window.location.assign(`/saml/${encodeURIComponent(slug)}/login`);
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  const values = { organisation: organisation.value.trim().toLowerCase(), email: email.value.trim(), password: password.value };
  for (const name of FIELDS) {
    if (!values[name]) {
      showError(`${name === "email" ? "E-mail" : name[0].toUpperCase() + name.slice(1)} is required`, name);
      return;
    }
  }
  submit.disabled = true;
  submit.textContent = "Signing in…";
  try {
    await request("POST", "/auth/login", { body: values });
    window.localStorage.setItem("learnhub.organisation", values.organisation);
    window.location.assign(`/${window.location.hash || ""}`);
  } catch (err) {
    password.value = "";
    showError(err instanceof ApiError ? err.message : String(err), err instanceof ApiError ? err.field : null);
  } finally {
    submit.disabled = false;
    submit.textContent = "Sign in";
  }
});
