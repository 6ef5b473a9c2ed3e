// My team: the people in the signed-in manager's or foreman's reporting line (and nobody else).
import { pageHeader } from "../components/dom.js";
import { createTable } from "../components/table.js";
import { peopleColumns, peopleLoader } from "./people.js";

export default {
  path: "/team",
  title: "My team",
  section: "Overview",
  icon: "team",
  permissions: ["people.read_team"],
  description: "The people who report to you, directly or through others",
  async render(container, ctx) {
    container.append(pageHeader("My team", "Everyone who reports to you, directly or through your foremen and managers."));
    const table = createTable({
      caption: "My team",
      columns: peopleColumns(),
      rowKey: (p) => p.id,
      load: peopleLoader(ctx.api, { team: "mine" }),
      filters: [{ name: "q", label: "Search", type: "search", placeholder: "Name, e-mail, job title" }],
      empty: { icon: "team", title: "Nobody reports to you yet",
        text: "When your administrator sets you as someone's manager, they appear here with their training status." },
    });
    container.append(table.element);
  },
};
