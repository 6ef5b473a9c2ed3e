// window.API_1484_11 for SCORM 2004 content (RTE §3.1): Initialize … Terminate, synchronous, over the shared
// data model (datamodel.js) and the commit transport; adl.nav.request is handed to the player after Terminate.
// A plain script: it adds createScorm2004API to window.LearnhubScorm.
(function (global) {
  "use strict";

  // SCORM 2004 RTE §3.1.7: 391 general commit failure, 111 general termination failure.
  const COMMIT_FAILURE = 391;
  const TERMINATION_FAILURE = 111;

  function createScorm2004API(session, hooks) {
    function commitChanges(terminate) {
      const result = hooks.commit(session.changedValues(), terminate);
      if (!result.ok) {
        return session.failWithCode(terminate ? TERMINATION_FAILURE : COMMIT_FAILURE,
          `${result.message || "commit refused"}${result.errorCode ? ` (error ${result.errorCode})` : ""}`);
      }
      return "true";
    }
    return {
      version: "1.0",
      Initialize(argument) {
        const result = session.initialize(argument === undefined ? "" : String(argument));
        if (result === "true" && hooks.onInitialize) hooks.onInitialize();
        return result;
      },
      Terminate(argument) {
        const result = session.terminate(argument === undefined ? "" : String(argument), hooks.fallbackSessionTime());
        if (result !== "true") return result;
        const committed = commitChanges(true);
        // RTE §4.4.2: a navigation request set before Terminate is processed after Terminate returns.
        if (hooks.onTerminate) global.setTimeout(() => hooks.onTerminate(session.values), 0);
        return committed;
      },
      GetValue(element) { return session.getValue(element === undefined ? "" : String(element)); },
      SetValue(element, value) {
        return session.setValue(element === undefined ? "" : String(element), value === undefined ? "" : String(value));
      },
      Commit(argument) {
        const result = session.commit(argument === undefined ? "" : String(argument));
        return result === "true" ? commitChanges(false) : result;
      },
      GetLastError() { return session.getLastError(); },
      GetErrorString(code) { return session.getErrorString(code === undefined ? "" : String(code)); },
      GetDiagnostic(code) { return session.getDiagnostic(code === undefined ? "" : String(code)); },
    };
  }

  const namespace = global.LearnhubScorm || (global.LearnhubScorm = {});
  namespace.createScorm2004API = createScorm2004API;
}(window));
