// Commits of the browser runtime to POST /api/v1/runtime/{attempt}/{activity}/commit (spec §5):
// synchronous XHR (content expects Commit/Terminate to have happened when they return), an increasing
// sequence number the server uses for idempotency, a retry queue in localStorage when the network fails
// (replayed on the next load) and navigator.sendBeacon while the page is being dismissed.
// A plain script: it adds CommitTransport to window.LearnhubScorm.
(function (global) {
  "use strict";

  const QUEUE_KEY = "learnhub.scorm.pending-commits";

  function readQueue() {
    try {
      return JSON.parse(global.localStorage.getItem(QUEUE_KEY) || "{}") || {};
    } catch (err) {
      return {};
    }
  }

  function writeQueue(queue) {
    try {
      if (Object.keys(queue).length) global.localStorage.setItem(QUEUE_KEY, JSON.stringify(queue));
      else global.localStorage.removeItem(QUEUE_KEY);
    } catch (err) {
      // Storage full or disabled: the commit is lost only if the network is down too.
    }
  }

  class CommitTransport {
    constructor({ attemptId, activityId, seq, csrf }) {
      this.attemptId = attemptId;
      this.activityId = activityId;
      this.seq = seq || 0;
      this.csrf = csrf;
      this.dismissing = false; // set on pagehide: synchronous XHR is not allowed any more, beacons are
      this.lastResponse = null;
    }

    get url() {
      return `/api/v1/runtime/${encodeURIComponent(this.attemptId)}/${encodeURIComponent(this.activityId)}/commit`;
    }

    get key() {
      return `${this.attemptId}/${this.activityId}`;
    }

    /** Send one commit; returns {ok, queued, errorCode, message}. */
    send(values, terminate) {
      this.seq += 1;
      const body = { seq: this.seq, terminate: Boolean(terminate), values };
      if (this.dismissing) {
        this.enqueue(body);
        this.beacon(body);
        return { ok: true, queued: true };
      }
      const xhr = new XMLHttpRequest();
      try {
        xhr.open("POST", this.url, false);
        xhr.setRequestHeader("Content-Type", "application/json");
        xhr.setRequestHeader("X-CSRF-Token", this.csrf);
        xhr.send(JSON.stringify(body));
      } catch (err) {
        // Offline, or synchronous XHR refused while the page goes away: keep it and try a beacon.
        this.enqueue(body);
        this.beacon(body);
        return { ok: true, queued: true };
      }
      if (xhr.status === 200) {
        this.dequeue(body.seq);
        try { this.lastResponse = JSON.parse(xhr.responseText); } catch (err) { this.lastResponse = null; }
        return { ok: true, queued: false };
      }
      if (xhr.status === 0 || xhr.status === 502 || xhr.status === 503 || xhr.status === 504) {
        this.enqueue(body);
        return { ok: true, queued: true };
      }
      let parsed = {};
      try { parsed = JSON.parse(xhr.responseText); } catch (err) { parsed = {}; }
      const message = parsed.error ? parsed.error.message : `the server answered ${xhr.status}`;
      return { ok: false, queued: false, errorCode: parsed.errorCode ?? null, message, status: xhr.status };
    }

    beacon(body) {
      if (!global.navigator || !global.navigator.sendBeacon) return false;
      // sendBeacon cannot set headers: the CSRF token travels in the body (the server accepts it there).
      const payload = new Blob([JSON.stringify(Object.assign({ csrf: this.csrf }, body))], { type: "text/plain" });
      return global.navigator.sendBeacon(this.url, payload);
    }

    enqueue(body) {
      // A commit carries every element set in the session, so the newest pending one supersedes older ones.
      const queue = readQueue();
      const pending = queue[this.key];
      if (!pending || pending.body.seq <= body.seq) queue[this.key] = { url: this.url, body };
      writeQueue(queue);
    }

    dequeue(seq) {
      const queue = readQueue();
      const pending = queue[this.key];
      if (pending && pending.body.seq <= seq) {
        delete queue[this.key];
        writeQueue(queue);
      }
    }

    /** Replay what an earlier page could not deliver; resolves when every entry was answered or kept. */
    static async replay(csrf) {
      const queue = readQueue();
      for (const [key, pending] of Object.entries(queue)) {
        try {
          const response = await global.fetch(pending.url, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
            body: JSON.stringify(pending.body),
          });
          // Applied, already applied, refused or not ours: either way it must not be sent again.
          if (response.status < 500) delete queue[key];
        } catch (err) {
          // Still offline: keep it for the next load.
        }
      }
      writeQueue(queue);
    }
  }

  const namespace = global.LearnhubScorm || (global.LearnhubScorm = {});
  namespace.CommitTransport = CommitTransport;
}(window));
