// The page registry: the ONE list the router and the sidebar are built from.
//
// A page module's default export: { path, title, section, icon, description, permissions: [...],
// nav (false hides it from the sidebar), render(container, ctx) }. The sidebar groups pages by
// `section` in the order they first appear here. To add a page: write static/js/pages/<name>.js
// and append one import and one entry below.
import assignments from "./assignments.js";
import audit from "./audit.js";
import catalog from "./catalog.js";
import cmi5Course from "./cmi5-course.js";
import dashboard from "./dashboard.js";
import group from "./group.js";
import groups from "./groups.js";
import learning from "./learning.js";
import lrsCredentials from "./lrs-credentials.js";
import people from "./people.js";
import person from "./person.js";
import reports from "./reports.js";
import roles from "./roles.js";
import scimTokens from "./scim-tokens.js";
import sso from "./sso.js";
import statements from "./statements.js";
import team from "./team.js";

export const pages = [
  dashboard,
  team,
  people,
  person,
  groups,
  group,
  roles,
  statements,
  lrsCredentials,
  scimTokens,
  sso,
  audit,
  learning,
  catalog,
  assignments,
  reports,
  cmi5Course,
];
