// The course player (/player/{registration}): launches or resumes the registration through the API, frames the
// SCO with window.API / window.API_1484_11 on this window (content finds it through window.parent, spec §2.2),
// shows the TOC (isvisible) and the LMS controls (hideLMSUI, adl.nav.request_valid), and turns the learner's
// clicks and the SCO's adl.nav.request into navigation requests to the server.
// A plain script, loaded after datamodel.js, transport.js, scorm12-api.js and scorm2004-api.js.
(function () {
  "use strict";

  const Scorm = window.LearnhubScorm;
  const frame = document.getElementById("content");
  const toc = document.getElementById("toc");
  const message = document.getElementById("message");
  const title = document.getElementById("course-title");
  const controls = ["previous", "continue", "suspendAll", "exitAll"].map((name) => document.getElementById(`nav-${name}`));
  const registrationId = decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop() || "");

  const player = {
    csrf: "",
    attemptId: null,
    version: null,
    rules: {},
    delivery: null,
    session: null,
    transport: null,
    startedAt: 0,
    navigating: false,
    lastView: null,
  };
  window.learnhubPlayer = player; // for diagnostics and the browser tests

  async function getJson(url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {}));
    const text = await response.text();
    const body = text ? JSON.parse(text) : null;
    if (response.status === 401) {
      window.location.assign(`/login#/player/${encodeURIComponent(registrationId)}`);
      throw new Error("signed out");
    }
    if (!response.ok) throw new Error(body && body.error ? body.error.message : `request failed (${response.status})`);
    return body;
  }

  function postJson(url, body) {
    return getJson(url, {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRF-Token": player.csrf },
      body: JSON.stringify(body || {}),
    });
  }

  async function loadRules(version) {
    const name = version === "1.2" ? "scorm12" : "scorm2004";
    if (!player.rules[version]) player.rules[version] = Scorm.buildRules(await getJson(`/player/rules/${name}.json`));
    return player.rules[version];
  }

  function show(text, links) {
    message.replaceChildren();
    if (!text) { message.hidden = true; return; }
    message.append(document.createTextNode(text));
    for (const [label, href, onClick] of links || []) {
      message.append(document.createTextNode(" "));
      const link = document.createElement("a");
      link.textContent = label;
      link.href = href;
      if (onClick) link.addEventListener("click", (event) => { event.preventDefault(); onClick(); });
      message.append(link);
    }
    message.hidden = false;
  }

  // --- the SCO session ---

  function fallbackSessionTime() {
    // Wall-clock time, used only when the SCO never set session_time (spec §2.5 optional guard).
    const centiseconds = Math.round((Date.now() - player.startedAt) / 10);
    return player.version === "1.2" ? Scorm.durations.formatCmiTimespan(centiseconds)
      : Scorm.durations.formatIso8601Duration(centiseconds);
  }

  function installApi(delivery, rules) {
    delete window.API;
    delete window.API_1484_11;
    player.session = null;
    player.transport = null;
    if (!delivery.api) return;
    // adl.data buckets: read/write only as the manifest's adlcp:map allows (the server checks again at commit).
    const session = new Scorm.RuntimeSession(rules, delivery.values, undefined, delivery.shared_data_access);
    const transport = new Scorm.CommitTransport({ attemptId: player.attemptId, activityId: delivery.activity_id,
      seq: delivery.seq, csrf: player.csrf });
    const hooks = {
      commit: (values, terminate) => transport.send(values, terminate),
      fallbackSessionTime,
      onInitialize: () => { player.startedAt = Date.now(); },
      onTerminate: (values) => afterTerminate(session, values),
    };
    player.session = session;
    player.transport = transport;
    player.startedAt = Date.now();
    if (delivery.api === "1.2") window.API = Scorm.createScorm12API(session, hooks);
    else window.API_1484_11 = Scorm.createScorm2004API(session, hooks);
  }

  /** The SCO ended its session on its own: act on its navigation request (2004) or on its status (1.2). */
  function afterTerminate(session, values) {
    if (player.navigating || session !== player.session) return; // the player itself is taking the SCO away
    let request = null;
    let target = null;
    if (player.version === "2004") {
      const nav = values["adl.nav.request"] || "_none_";
      const targeted = /^\{target=([^}]+)\}(choice|jump)$/.exec(nav);
      if (targeted) { target = targeted[1]; request = targeted[2]; } else if (nav !== "_none_") request = nav;
      if (!request && values["cmi.exit"] === "suspend") request = "suspendAll";
    } else {
      // SCORM 1.2 has no navigation requests: suspend keeps the course for later, a finished SCO moves on.
      const status = values["cmi.core.lesson_status"];
      if (values["cmi.core.exit"] === "suspend") request = "suspendAll";
      else if (status === "completed" || status === "passed" || status === "failed") request = "continue";
    }
    if (request) navigate(request, target);
    else show("This part has ended. Choose what to do next from the contents.");
  }

  /** Take the content away: let the SCO unload (it usually terminates then), else end its session ourselves. */
  function unloadContent() {
    return new Promise((resolve) => {
      const done = () => {
        const session = player.session;
        if (session && session.phase === "running") {
          // The SCO did not call Terminate/LMSFinish: close the session with what it set.
          session.terminate("", fallbackSessionTime());
          player.transport.send(session.changedValues(), true);
        }
        resolve();
      };
      if (!frame.src || frame.src === "about:blank" || frame.getAttribute("src") === "about:blank") { done(); return; }
      frame.addEventListener("load", done, { once: true });
      frame.setAttribute("src", "about:blank");
    });
  }

  async function navigate(request, target) {
    if (player.navigating || !player.attemptId) return;
    player.navigating = true;
    try {
      // Even after the SCO terminated itself its page is still showing; take it away first.
      await unloadContent();
      const view = await postJson(`/api/v1/runtime/${encodeURIComponent(player.attemptId)}/nav`, { request, target });
      await render(view);
    } catch (err) {
      show(`Navigation failed: ${err.message}`);
    } finally {
      player.navigating = false;
    }
  }

  // --- rendering ---

  function renderToc(entries) {
    toc.replaceChildren();
    for (const entry of entries) {
      const item = document.createElement("li");
      item.dataset.id = entry.id;
      item.hidden = !entry.visible;
      if (entry.current) item.className = "current";
      const label = entry.launchable ? document.createElement("button") : document.createElement("span");
      label.style.paddingLeft = `${12 + entry.depth * 16}px`;
      label.textContent = entry.title;
      if (entry.launchable) {
        label.type = "button";
        label.disabled = !entry.choosable;
        label.addEventListener("click", () => navigate("choice", entry.id));
        const status = document.createElement("span");
        status.className = "status";
        status.textContent = entry.status === "not attempted" ? "" : entry.status;
        label.append(status);
      }
      item.append(label);
      toc.append(item);
    }
  }

  function renderControls(view) {
    const hidden = new Set((view.delivery && view.delivery.hide_lms_ui) || []);
    const valid = view.request_valid || {};
    const running = Boolean(view.delivery);
    for (const button of controls) {
      const request = button.dataset.request;
      button.hidden = hidden.has(request);
      if (request === "continue" || request === "previous") button.disabled = !running || valid[request] === "false";
      else button.disabled = !running;
    }
  }

  async function render(view) {
    player.lastView = view;
    player.attemptId = view.attempt_id;
    renderToc(view.toc || []);
    renderControls(view);
    if (view.exception && !view.delivery) {
      show(`That is not possible right now (${view.exception}).`);
      return;
    }
    const delivery = view.delivery;
    player.delivery = delivery;
    if (!delivery) {
      installApi({ api: null }, null);
      frame.hidden = true;
      if (view.suspended) {
        show("Your progress is saved. You can continue where you left off at any time.",
          [["Continue now", "#", relaunch], ["Back to my learning", "/#/learning"]]);
      } else if (view.ended) {
        show("You have left the course.", [["Start again", "#", relaunch], ["Back to my learning", "/#/learning"]]);
      } else {
        show("Choose an activity from the contents to begin.");
      }
      document.body.dataset.state = view.suspended ? "suspended" : view.ended ? "ended" : "choose";
      return;
    }
    show("");
    frame.hidden = false;
    const rules = delivery.api ? await loadRules(delivery.api) : null;
    installApi(delivery, rules);
    document.body.dataset.state = "playing";
    document.body.dataset.activity = delivery.activity_id;
    frame.setAttribute("src", delivery.url);
  }

  async function relaunch() {
    const view = await postJson(`/api/v1/registrations/${encodeURIComponent(registrationId)}/launch`);
    player.version = view.version;
    title.textContent = view.title;
    document.title = `${view.title} · learnhub`;
    await render(view);
  }

  // --- page lifecycle ---

  window.addEventListener("pagehide", () => {
    // Synchronous XHR is refused from here on; whatever the SCO set is saved by beacon (and queued).
    const { session, transport } = player;
    if (transport) transport.dismissing = true;
    if (session && session.phase === "running" && Object.keys(session.changedValues()).length) {
      transport.send(session.changedValues(), false);
    }
  });

  for (const button of controls) button.addEventListener("click", () => navigate(button.dataset.request, null));

  async function start() {
    const me = await getJson("/auth/me");
    player.csrf = me.csrf_token;
    await Scorm.CommitTransport.replay(player.csrf);
    await relaunch();
  }

  start().catch((err) => {
    if (err.message !== "signed out") show(`The course could not start: ${err.message}`, [["Back to my learning", "/#/learning"]]);
  });
}());
