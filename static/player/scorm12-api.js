// window.API for SCORM 1.2 content (RTE 1.2 §3.3): the eight LMS* calls, synchronous, over the shared data
// model (datamodel.js) and the commit transport. The player creates one per SCO session.
// A plain script: it adds createScorm12API to window.LearnhubScorm.
(function (global) {
  "use strict";

  // SCORM 1.2 has no commit- or termination-specific code: a refused commit is a general exception.
  const GENERAL_EXCEPTION = 101;

  function createScorm12API(session, hooks) {
    function commitChanges(terminate) {
      const result = hooks.commit(session.changedValues(), terminate);
      if (!result.ok) return session.failWithCode(result.errorCode || GENERAL_EXCEPTION, result.message || "commit refused");
      return "true";
    }
    return {
      LMSInitialize(argument) {
        const result = session.initialize(argument === undefined ? "" : String(argument));
        if (result === "true" && hooks.onInitialize) hooks.onInitialize();
        return result;
      },
      LMSFinish(argument) {
        const result = session.terminate(argument === undefined ? "" : String(argument), hooks.fallbackSessionTime());
        if (result !== "true") return result;
        const committed = commitChanges(true);
        if (hooks.onTerminate) global.setTimeout(() => hooks.onTerminate(session.values), 0);
        return committed;
      },
      LMSGetValue(element) { return session.getValue(element === undefined ? "" : String(element)); },
      LMSSetValue(element, value) {
        return session.setValue(element === undefined ? "" : String(element), value === undefined ? "" : String(value));
      },
      LMSCommit(argument) {
        const result = session.commit(argument === undefined ? "" : String(argument));
        return result === "true" ? commitChanges(false) : result;
      },
      LMSGetLastError() { return session.getLastError(); },
      LMSGetErrorString(code) { return session.getErrorString(code === undefined ? "" : String(code)); },
      LMSGetDiagnostic(code) { return session.getDiagnostic(code === undefined ? "" : String(code)); },
    };
  }

  const namespace = global.LearnhubScorm || (global.LearnhubScorm = {});
  namespace.createScorm12API = createScorm12API;
}(window));
