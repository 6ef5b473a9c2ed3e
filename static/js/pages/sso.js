// Single sign-on (SAML 2.0): the identity provider's metadata, signing requirements and role mapping.
import { h, pageHeader } from "../components/dom.js";
import { statePage } from "../components/empty.js";
import { createForm } from "../components/form.js";
import { ROLE_OPTIONS } from "../components/people.js";
import { secretRow } from "../components/secret.js";

function parseJsonField(text, field) {
  if (!text.trim()) return {};
  try {
    const value = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch { /* reported below */ }
  const error = new Error(`${field === "attribute_map" ? "Attribute mapping" : "Role mapping"} must be a JSON object`);
  error.field = field;
  throw error;
}

export default {
  path: "/sso",
  title: "Single sign-on",
  section: "Integrations",
  icon: "lock",
  permissions: ["saml.manage"],
  description: "SAML 2.0 with your identity provider",
  async render(container, ctx) {
    let settings;
    try {
      settings = await ctx.api.get("admin/saml");
    } catch (err) {
      if (err.status === 404 && err.message === "no such resource") {
        container.append(statePage({ icon: "lock", title: "Single sign-on is not available yet",
          text: "This server does not offer SAML settings yet.", link: { href: "#/", label: "Go to the dashboard" } }));
        return;
      }
      if (err.status !== 404) throw err;
      settings = {};
    }
    container.append(pageHeader("Single sign-on (SAML 2.0)",
      "People of your organisation sign in with your identity provider; learnhub creates their account on first sign-in."));
    const sp = h("div", { class: "card" }, h("div", { class: "card-header" }, h("h2", {}, "Give these to your identity provider")),
      h("div", { class: "card-body form" },
        settings.sp_entity_id ? secretRow("Entity ID (audience)", settings.sp_entity_id, "sp-entity-id") : null,
        settings.acs_url ? secretRow("Assertion consumer service URL", settings.acs_url, "sp-acs-url") : null,
        settings.metadata_url ? h("p", {}, "Or import the metadata: ", h("a", { href: settings.metadata_url, target: "_blank", rel: "noopener" }, settings.metadata_url)) : null));
    const form = createForm({
      fields: [
        { name: "enabled", label: "Single sign-on is on", type: "checkbox", value: Boolean(settings.enabled), span: 2,
          help: "When on, the sign-in page offers \"Sign in with your organisation\"." },
        { name: "idp_metadata", label: "Identity provider metadata (XML)", type: "textarea", rows: 8, value: settings.idp_metadata || "", span: 2,
          help: "Paste the federation metadata XML from your identity provider." },
        { name: "want_response_signed", label: "Require the whole response to be signed", type: "checkbox", value: Boolean(settings.want_response_signed),
          help: "Assertions must always be signed; this also requires the response envelope to be." },
        { name: "allow_idp_initiated", label: "Allow sign-in started at the identity provider", type: "checkbox", value: Boolean(settings.allow_idp_initiated),
          help: "Off is safer: only sign-ins started here are accepted." },
        { name: "attribute_map", label: "Attribute mapping (JSON)", type: "textarea", rows: 5, value: JSON.stringify(settings.attribute_map || {}, null, 2),
          help: "learnhub field → SAML attribute, e.g. {\"email\": \"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\"}." },
        { name: "role_map", label: "Role mapping (JSON)", type: "textarea", rows: 5, value: JSON.stringify(settings.role_map || {}, null, 2),
          help: "Identity provider role or group → learnhub role, e.g. {\"LMS-Admins\": \"ld_admin\"}." },
        { name: "default_role", label: "Role for everyone else", type: "select", value: settings.default_role || "learner", options: ROLE_OPTIONS },
      ],
      grid: true,
      submitLabel: "Save settings",
      onSubmit: async (values) => {
        let body;
        try {
          body = { ...values, attribute_map: parseJsonField(values.attribute_map, "attribute_map"), role_map: parseJsonField(values.role_map, "role_map") };
        } catch (err) {
          form.setError(err.message, err.field);
          return;
        }
        if (!body.idp_metadata.trim()) body.idp_metadata = null;
        await ctx.api.put("admin/saml", body);
        ctx.toastSuccess("Single sign-on settings saved");
      },
    });
    container.append(h("div", { class: "grid" }, sp,
      h("div", { class: "card" }, h("div", { class: "card-header" }, h("h2", {}, "Identity provider")), h("div", { class: "card-body" }, form.element))));
  },
};
