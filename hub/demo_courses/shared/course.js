/* learnhub demo courses: page navigation, a scored quiz and SCORM reporting (1.2 and 2004, one script).
 *
 * The page declares what it is with <body data-scorm="2004|1.2" data-passing="80">. The script finds the
 * LMS the standard way (walking window.parent, then window.opener and its parents, for API_1484_11 or API),
 * and runs unchanged without an LMS: it then says so and records nothing. No network access of its own.
 */
(function () {
  "use strict";

  var body = document.body;
  var version = body.getAttribute("data-scorm") === "1.2" ? "1.2" : "2004";
  var defaultPassing = Number(body.getAttribute("data-passing") || "80");

  // ---- finding and talking to the LMS --------------------------------------------------------

  function searchUp(win, name) {
    for (var depth = 0; win && depth < 500; depth += 1) {
      try {
        if (win[name]) return win[name];
      } catch (err) {
        return null; // another origin: the API cannot be there
      }
      if (!win.parent || win.parent === win) return null;
      win = win.parent;
    }
    return null;
  }

  function findApi(name) {
    var found = searchUp(window, name);
    if (!found && window.opener) found = searchUp(window.opener, name);
    return found;
  }

  function pad(value, width) {
    var text = String(value);
    while (text.length < width) text = "0" + text;
    return text;
  }

  function isoDuration(ms) {
    var total = Math.max(0, ms) / 1000;
    var hours = Math.floor(total / 3600);
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = (total % 60).toFixed(2).replace(/\.?0+$/, "") || "0";
    return "PT" + (hours ? hours + "H" : "") + (minutes ? minutes + "M" : "") + seconds + "S";
  }

  function timespan12(ms) {
    var total = Math.max(0, ms) / 1000;
    var hours = Math.min(9999, Math.floor(total / 3600));
    var minutes = Math.floor((total % 3600) / 60);
    var seconds = total % 60;
    return pad(hours, 2) + ":" + pad(minutes, 2) + ":" + pad(seconds.toFixed(2), 5);
  }

  function clockTime(date) {
    return pad(date.getHours(), 2) + ":" + pad(date.getMinutes(), 2) + ":" + pad(date.getSeconds(), 2);
  }

  function timestamp(date) {
    return date.getFullYear() + "-" + pad(date.getMonth() + 1, 2) + "-" + pad(date.getDate(), 2) + "T" +
      clockTime(date);
  }

  /** The LMS connection, or a stand-in that records nothing when the course runs on its own. */
  var lms = (function () {
    var api = findApi(version === "2004" ? "API_1484_11" : "API");
    var call = function (name12, name2004, args) {
      if (!api) return "";
      var method = api[version === "2004" ? name2004 : name12];
      if (typeof method !== "function") return "";
      try {
        return String(method.apply(api, args));
      } catch (err) {
        return "";
      }
    };
    var active = false;
    return {
      connected: function () { return active; },
      initialize: function () {
        active = api !== null && call("LMSInitialize", "Initialize", [""]) === "true";
        return active;
      },
      get: function (element) { return active ? call("LMSGetValue", "GetValue", [element]) : ""; },
      set: function (element, value) {
        return active && call("LMSSetValue", "SetValue", [element, String(value)]) === "true";
      },
      commit: function () { return active && call("LMSCommit", "Commit", [""]) === "true"; },
      finish: function () {
        if (!active) return false;
        active = false;
        return call("LMSFinish", "Terminate", [""]) === "true";
      },
    };
  }());

  // Element names that differ between the two versions.
  var el = version === "2004" ? {
    location: "cmi.location", entry: "cmi.entry", exit: "cmi.exit", sessionTime: "cmi.session_time",
    raw: "cmi.score.raw", min: "cmi.score.min", max: "cmi.score.max", response: "learner_response",
  } : {
    location: "cmi.core.lesson_location", entry: "cmi.core.entry", exit: "cmi.core.exit",
    sessionTime: "cmi.core.session_time", raw: "cmi.core.score.raw", min: "cmi.core.score.min",
    max: "cmi.core.score.max", response: "student_response",
  };

  // ---- course state -------------------------------------------------------------------------

  var pages = Array.prototype.slice.call(document.querySelectorAll("section.page"));
  var questions = Array.prototype.slice.call(document.querySelectorAll("fieldset.question"));
  var quiz = document.getElementById("quiz");
  var resultBox = document.getElementById("result");
  var startedAt = Date.now();
  var quizShownAt = null;
  var answeredAt = {};
  var state = { page: 0, seen: [0], answers: {}, score: null, finished: false };

  function saveState() {
    if (!lms.connected()) return;
    lms.set(el.location, String(state.page));
    lms.set("cmi.suspend_data", JSON.stringify({ s: state.seen, a: state.answers, r: state.score }));
    if (version === "2004") {
      var contentPages = pages.length - 1;
      var seenContent = state.seen.filter(function (index) { return index < contentPages; }).length;
      var measure = state.score !== null ? 1 : Math.min(0.99, seenContent / pages.length);
      lms.set("cmi.progress_measure", measure.toFixed(2));
    }
    lms.commit();
  }

  function restore() {
    if (lms.get(el.entry) !== "resume") return;
    try {
      var saved = JSON.parse(lms.get("cmi.suspend_data") || "{}");
      if (Array.isArray(saved.s)) state.seen = saved.s.filter(function (n) { return n >= 0 && n < pages.length; });
      if (saved.a && typeof saved.a === "object") state.answers = saved.a;
      if (typeof saved.r === "number") state.score = saved.r;
    } catch (err) {
      state.seen = [0];
    }
    var location = parseInt(lms.get(el.location), 10);
    if (location >= 0 && location < pages.length) state.page = location;
    if (state.seen.indexOf(state.page) < 0) state.seen.push(state.page);
  }

  // ---- pages ----------------------------------------------------------------------------------

  var pageList = document.getElementById("page-list");
  var previousButton = document.getElementById("previous");
  var nextButton = document.getElementById("next");
  var pageCount = document.getElementById("page-count");

  function buildPageList() {
    pages.forEach(function (page, index) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = page.getAttribute("data-title") || "Page " + (index + 1);
      button.addEventListener("click", function () { showPage(index, true); });
      item.appendChild(button);
      pageList.appendChild(item);
    });
  }

  function reachable(index) {
    // Any page already seen, and the one after the furthest seen: the quiz comes after the reading.
    var furthest = Math.max.apply(null, state.seen);
    return index <= furthest + 1;
  }

  function showPage(index, focus) {
    if (index < 0 || index >= pages.length || !reachable(index)) return;
    state.page = index;
    if (state.seen.indexOf(index) < 0) state.seen.push(index);
    pages.forEach(function (page, n) { page.hidden = n !== index; });
    Array.prototype.forEach.call(pageList.querySelectorAll("button"), function (button, n) {
      if (n === index) button.setAttribute("aria-current", "step"); else button.removeAttribute("aria-current");
      button.disabled = !reachable(n);
      button.parentNode.className = state.seen.indexOf(n) >= 0 ? "seen" : "";
    });
    previousButton.disabled = index === 0;
    nextButton.hidden = index === pages.length - 1;
    pageCount.textContent = "Page " + (index + 1) + " of " + pages.length;
    if (pages[index].contains(quiz) && quizShownAt === null) quizShownAt = Date.now();
    if (focus) {
      var heading = pages[index].querySelector("h2");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
    saveState();
  }

  // ---- the quiz -------------------------------------------------------------------------------

  function chosen(fieldset) {
    var picked = Array.prototype.filter.call(fieldset.querySelectorAll("input"), function (input) {
      return input.checked;
    });
    return picked.map(function (input) { return input.value; }).sort();
  }

  function sameSet(a, b) {
    return a.length === b.length && a.every(function (value, index) { return value === b[index]; });
  }

  /** A response in the version's format: 2004 joins choices with [,]; 1.2 uses t/f and commas. */
  function formatResponse(type, values) {
    if (version === "1.2" && type === "true-false") return values[0] === "true" ? "t" : "f";
    return values.join(version === "2004" ? "[,]" : ",");
  }

  function recordInteraction(fieldset, values, correct, now) {
    var n = parseInt(lms.get("cmi.interactions._count"), 10) || 0;
    var prefix = "cmi.interactions." + n + ".";
    var type = fieldset.getAttribute("data-type");
    var key = (fieldset.getAttribute("data-correct") || "").split(",").sort();
    var latency = Math.max(0, (answeredAt[fieldset.getAttribute("data-id")] || now.getTime()) - (quizShownAt || startedAt));
    lms.set(prefix + "id", fieldset.getAttribute("data-id"));
    lms.set(prefix + "type", type);
    if (version === "2004") {
      lms.set(prefix + "description", fieldset.getAttribute("data-description") || "");
      lms.set(prefix + "timestamp", timestamp(now));
      lms.set(prefix + "latency", isoDuration(latency));
    } else {
      lms.set(prefix + "time", clockTime(now));
      lms.set(prefix + "latency", timespan12(latency));
    }
    lms.set(prefix + "weighting", "1");
    lms.set(prefix + "correct_responses.0.pattern", formatResponse(type, key));
    lms.set(prefix + el.response, formatResponse(type, values));
    lms.set(prefix + "result", correct ? "correct" : version === "2004" ? "incorrect" : "wrong");
  }

  function passingPercent() {
    if (version === "2004") {
      var scaled = parseFloat(lms.get("cmi.scaled_passing_score"));
      if (!isNaN(scaled)) return scaled * 100;
    } else {
      var mastery = parseFloat(lms.get("cmi.student_data.mastery_score"));
      if (!isNaN(mastery)) return mastery;
    }
    return defaultPassing;
  }

  function showResult(score, passing) {
    var passed = score >= passing;
    resultBox.hidden = false;
    resultBox.className = "result " + (passed ? "passed" : "failed");
    resultBox.querySelector(".result-title").textContent = passed ? "Well done — you passed" : "Not passed yet";
    resultBox.querySelector(".result-text").textContent = "You scored " + score + "%. The pass mark is " +
      Math.round(passing) + "%." + (passed ? " You can finish the course now." :
        " Review the pages and try the questions again.");
    document.getElementById("retry").hidden = passed;
    document.getElementById("finish").hidden = !passed;
    resultBox.focus();
  }

  function markAnswers(reveal) {
    questions.forEach(function (fieldset) {
      var key = (fieldset.getAttribute("data-correct") || "").split(",").sort();
      var right = sameSet(chosen(fieldset), key);
      fieldset.classList.toggle("correct", reveal && right);
      fieldset.classList.toggle("incorrect", reveal && !right);
      var feedback = fieldset.querySelector(".feedback");
      if (feedback) feedback.textContent = reveal ? (right ? "Correct." : "Not quite: " + fieldset.getAttribute("data-explain")) : "";
    });
  }

  function submitQuiz(event) {
    event.preventDefault();
    var missing = questions.filter(function (fieldset) { return chosen(fieldset).length === 0; });
    var warning = document.getElementById("quiz-warning");
    if (missing.length) {
      warning.hidden = false;
      warning.textContent = "Please answer every question (" + missing.length + " left).";
      missing[0].querySelector("input").focus();
      return;
    }
    warning.hidden = true;
    var now = new Date();
    var right = 0;
    questions.forEach(function (fieldset) {
      var values = chosen(fieldset);
      var key = (fieldset.getAttribute("data-correct") || "").split(",").sort();
      var correct = sameSet(values, key);
      if (correct) right += 1;
      state.answers[fieldset.getAttribute("data-id")] = values;
      if (lms.connected()) recordInteraction(fieldset, values, correct, now);
    });
    var score = Math.round((right / questions.length) * 100);
    var passing = passingPercent();
    var passed = score >= passing;
    state.score = score;
    if (lms.connected()) {
      lms.set(el.raw, String(score));
      lms.set(el.min, "0");
      lms.set(el.max, "100");
      if (version === "2004") {
        lms.set("cmi.score.scaled", (score / 100).toFixed(2));
        lms.set("cmi.success_status", passed ? "passed" : "failed");
        lms.set("cmi.completion_status", "completed");
      } else {
        lms.set("cmi.core.lesson_status", passed ? "passed" : "failed");
      }
    }
    saveState();
    quiz.classList.add("submitted");
    Array.prototype.forEach.call(quiz.querySelectorAll("input"), function (input) { input.disabled = true; });
    document.getElementById("submit").hidden = true;
    markAnswers(true);
    showResult(score, passing);
  }

  function retry() {
    state.score = null;
    state.answers = {};
    quiz.classList.remove("submitted");
    Array.prototype.forEach.call(quiz.querySelectorAll("input"), function (input) {
      input.disabled = false;
      input.checked = false;
    });
    document.getElementById("submit").hidden = false;
    resultBox.hidden = true;
    markAnswers(false);
    showPage(0, true);
  }

  // ---- ending a session -------------------------------------------------------------------------

  function endSession(finished) {
    if (!lms.connected()) return;
    saveState();
    lms.set(el.sessionTime, version === "2004" ? isoDuration(Date.now() - startedAt) : timespan12(Date.now() - startedAt));
    if (finished) {
      lms.set(el.exit, version === "2004" ? "normal" : "");
      if (version === "2004") lms.set("adl.nav.request", "exitAll");
    } else {
      lms.set(el.exit, "suspend");
    }
    lms.commit();
    lms.finish();
  }

  function finish() {
    state.finished = true;
    var connected = lms.connected();
    endSession(true);
    var done = document.getElementById("done");
    done.hidden = false;
    done.querySelector("p").textContent = connected ? "Your result has been recorded. You can close this course." :
      "This preview is not connected to a learning system, so nothing was recorded.";
    document.getElementById("finish").disabled = true;
    done.focus();
  }

  // ---- start ----------------------------------------------------------------------------------

  var connected = lms.initialize();
  var status = document.getElementById("lms-status");
  if (connected) {
    restore();
    if (version === "2004") {
      var completion = lms.get("cmi.completion_status");
      if (completion === "not attempted" || completion === "unknown" || completion === "") {
        lms.set("cmi.completion_status", "incomplete");
      }
    } else if (lms.get("cmi.core.lesson_status") === "not attempted") {
      lms.set("cmi.core.lesson_status", "incomplete");
    }
    var name = lms.get(version === "2004" ? "cmi.learner_name" : "cmi.core.student_name");
    status.textContent = name ? "Learner: " + name.split(",").reverse().join(" ").trim() : "Progress is saved";
  } else {
    status.textContent = "Preview — not connected to a learning system; progress is not recorded";
    status.classList.add("offline");
  }

  buildPageList();
  questions.forEach(function (fieldset) {
    fieldset.addEventListener("change", function () { answeredAt[fieldset.getAttribute("data-id")] = Date.now(); });
    var previous = state.answers[fieldset.getAttribute("data-id")] || [];
    Array.prototype.forEach.call(fieldset.querySelectorAll("input"), function (input) {
      input.checked = previous.indexOf(input.value) >= 0;
    });
  });
  previousButton.addEventListener("click", function () { showPage(state.page - 1, true); });
  nextButton.addEventListener("click", function () { showPage(state.page + 1, true); });
  quiz.addEventListener("submit", submitQuiz);
  document.getElementById("retry").addEventListener("click", retry);
  document.getElementById("finish").addEventListener("click", finish);
  if (state.score !== null && questions.every(function (f) { return state.answers[f.getAttribute("data-id")]; })) {
    // Resumed after the quiz: show the result again rather than asking the questions twice.
    quiz.classList.add("submitted");
    Array.prototype.forEach.call(quiz.querySelectorAll("input"), function (input) { input.disabled = true; });
    document.getElementById("submit").hidden = true;
    markAnswers(true);
    showResult(state.score, passingPercent());
  }
  showPage(state.page, false);

  window.addEventListener("pagehide", function () {
    if (!state.finished) endSession(false);
  });
  window.learnhubCourse = { lms: lms, state: state, version: version };
}());
