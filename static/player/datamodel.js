// The SCORM 1.2 / 2004 run-time data model for the browser: one session over a flat map of CMI values,
// driven entirely by the rules tables the server validates with (scorm_player/runtime/rules_*.json, served at
// /player/rules/scorm12.json and /player/rules/scorm2004.json). This is a line-by-line port of
// scorm_player/runtime/{paths,datatypes,durations,status,datamodel}.py: the same conformance fixtures are
// replayed against both (tests/scorm_player/player/test_browser_replay.py).
// A plain script (no build step): it defines window.LearnhubScorm.
(function (global) {
  "use strict";

  const INDEX = "n";
  const TARGET = "{target}";
  const KEYWORDS = ["_children", "_count", "_version"];
  const LONGEST_ERROR_TEXT = 255; // ADL CTS 'less255'
  const SHARED_DATA_BUCKET_ID = "adl.data.n.id";
  const LANGUAGE_DELIMITER = "{lang=";
  const RESPONSE_FLAG = /^\{(case_matters|order_matters)=([^}]*)\}/;
  const LANGUAGE_SUBTAG = /^[A-Za-z0-9]{1,8}$/;
  const ARRAY_INDEX = /^[0-9]+$/;

  // --- rules (scorm_player/runtime/rules.py build_rules) ---

  function buildRules(table) {
    const types = table.types;
    const elements = {};
    for (const [pattern, spec] of Object.entries(table.elements)) {
      const typeSpec = types[spec.type];
      elements[pattern] = {
        pattern,
        access: spec.access,
        typeName: spec.type,
        check: typeSpec.check,
        typeSpec,
        spm: spec.spm ?? null,
        default: spec.default ?? null,
        vocabulary: spec.vocabulary || typeSpec.vocabulary || [],
        notSettable: new Set(spec.not_settable || []),
        range: spec.range || null,
        emptyAllowed: spec.empty_allowed ?? typeSpec.empty_allowed ?? false,
        requires: spec.requires || [],
        uniqueWithinArray: !!spec.unique_within_array,
        writeOnce: !!spec.write_once,
        append: !!spec.append,
        limit: spec.limit ?? null,
        sessionOnly: !!spec.session_only,
        evaluated: spec.evaluated ?? null,
        sharedData: !!spec.shared_data,
        get readable() { return this.access !== "write-only"; },
        get writable() { return this.access !== "read-only"; },
      };
    }
    const arrays = {};
    for (const [pattern, spec] of Object.entries(table.arrays)) {
      arrays[pattern] = {
        pattern, children: spec.children ?? null, category: !!spec.category, seededOnly: !!spec.seeded_only,
        journaled: !!spec.journaled, maxCountByInteractionType: spec.max_count_by_interaction_type ?? null,
      };
    }
    const containers = {};
    for (const [pattern, spec] of Object.entries(table.containers)) {
      containers[pattern] = { pattern, children: spec.children ?? null, category: !!spec.category };
    }
    const interactionTypes = {};
    for (const [name, spec] of Object.entries(table.interaction_types || {})) {
      if (!name.startsWith("_")) interactionTypes[name] = spec;
    }
    const languages = table.language_codes || {};
    const messages = {};
    for (const [code, text] of Object.entries(table.errors.messages)) messages[Number(code)] = text;
    return {
      version: table.version,
      dataModelVersion: table.data_model_version,
      messages,
      conditions: table.errors.conditions,
      suspendDataSpecLimit: table.limits.suspend_data.spec_smallest_permitted_maximum,
      suspendDataDefaultLimit: table.limits.suspend_data.default,
      lengthPolicy: table.length_policy || "enforce",
      types,
      elements,
      arrays,
      containers,
      interactionTypes,
      languageCodes: new Set([...(languages.two_letter || []), ...(languages.three_letter || [])]),
      targetTemplates: Object.keys(elements).filter((p) => p.endsWith(`.${TARGET}`))
        .map((p) => p.slice(0, -TARGET.length - 1)),
      launchElements: table.launch_elements,
      sessionElements: table.session_elements,
      errorCode(condition) {
        if (!(condition in this.conditions)) throw new Error(`unknown condition ${condition}`);
        return this.conditions[condition];
      },
    };
  }

  // --- options (runtime/options.py) ---

  function makeOptions(options) {
    const merged = Object.assign({ suspendDataMax: null, strictLimits: false, forceCompletedOnFinish: false,
      applyMasteryScore: true }, options || {});
    merged.suspendDataLimit = (rules) => {
      if (merged.suspendDataMax !== null && merged.suspendDataMax !== undefined) return merged.suspendDataMax;
      return merged.strictLimits ? rules.suspendDataSpecLimit : rules.suspendDataDefaultLimit;
    };
    merged.enforcesSmallestPermittedMaximum = (rules) => rules.lengthPolicy === "enforce" || merged.strictLimits;
    return merged;
  }

  // --- element paths (runtime/paths.py) ---

  function resolveElement(rules, name) {
    const target = resolveTargetElement(rules, name);
    if (target) return target;
    const segments = name.split(".");
    const patternParts = [];
    const pathParts = [];
    const indices = [];
    for (let position = 0; position < segments.length; position += 1) {
      const segment = segments[position];
      const prefix = patternParts.join(".");
      if (position === segments.length - 1 && KEYWORDS.includes(segment) && patternParts.length) {
        return { kind: "keyword", path: pathParts.join("."), pattern: prefix, indices, keyword: segment };
      }
      if (Object.prototype.hasOwnProperty.call(rules.arrays, prefix)) {
        if (!ARRAY_INDEX.test(segment)) return undefinedPath(rules, name, patternParts);
        const index = parseInt(segment, 10);
        patternParts.push(INDEX);
        pathParts.push(String(index));
        indices.push(index);
      } else {
        patternParts.push(segment);
        pathParts.push(segment);
      }
    }
    const pattern = patternParts.join(".");
    if (Object.prototype.hasOwnProperty.call(rules.elements, pattern)) {
      return { kind: "element", path: pathParts.join("."), pattern, indices, keyword: null };
    }
    return undefinedPath(rules, name, patternParts.slice(0, -1));
  }

  function isKnownGroup(rules, pattern) {
    return has(rules.containers, pattern) || has(rules.arrays, pattern);
  }

  function arrayItemPrefixes(path) {
    const patternParts = path.pattern.split(".");
    const pathParts = path.path.split(".");
    const prefixes = [];
    patternParts.forEach((part, position) => {
      if (part === INDEX && position < pathParts.length) {
        prefixes.push([patternParts.slice(0, position).join("."), pathParts.slice(0, position).join("."),
          parseInt(pathParts[position], 10)]);
      }
    });
    return prefixes;
  }

  function concretePath(pattern, indices) {
    let next = 0;
    const parts = [];
    for (const part of pattern.split(".")) {
      if (part === INDEX) {
        if (next >= indices.length) break;
        parts.push(String(indices[next]));
        next += 1;
      } else {
        parts.push(part);
      }
    }
    return parts.join(".");
  }

  function resolveTargetElement(rules, name) {
    // adl.nav.request_valid.choice.{target=ID}: the target (an activity id) may itself contain dots.
    for (const template of rules.targetTemplates) {
      const prefix = `${template}.{target=`;
      if (name.startsWith(prefix) && name.endsWith("}") && name.length > prefix.length + 1) {
        return { kind: "element", path: name, pattern: `${template}.${TARGET}`, indices: [], keyword: null };
      }
    }
    return null;
  }

  function undefinedPath(rules, name, parentParts) {
    const parent = parentParts.join(".");
    const arrayName = parent.endsWith(`.${INDEX}`) ? parent.slice(0, -INDEX.length - 1) : null;
    const inCategory = (has(rules.containers, parent) && rules.containers[parent].category)
      || (arrayName !== null && has(rules.arrays, arrayName) && rules.arrays[arrayName].category);
    return { kind: "undefined", path: name, pattern: "", indices: [], keyword: null,
      undefinedCondition: inCategory ? "invalid_leaf_in_category" : "undefined_element" };
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  // --- durations (runtime/durations.py): whole centiseconds ---

  const CS_SECOND = 100;
  const CS_MINUTE = 60 * CS_SECOND;
  const CS_HOUR = 60 * CS_MINUTE;
  const CS_DAY = 24 * CS_HOUR;
  const LONGEST_CMI_TIMESPAN = 9999 * CS_HOUR + 59 * CS_MINUTE + 5999;
  const ISO8601_DURATION = /^P(?:([0-9]+)Y)?(?:([0-9]+)M)?(?:([0-9]+)D)?(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+(?:\.[0-9]+)?)S)?)?$/;
  const CMI_TIMESPAN = /^([0-9]{2,4}):([0-9]{2}):([0-9]{2}(?:\.[0-9]{1,2})?)$/;
  const CMI_TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2}(?:\.[0-9]{1,2})?)$/;

  function secondsToCentiseconds(text) {
    // Exact decimal arithmetic, rounded half up like the Python Decimal quantize.
    const [whole, fraction = ""] = String(text).split(".");
    const padded = `${fraction}000`;
    let value = parseInt(whole || "0", 10) * 100 + parseInt(padded.slice(0, 2), 10);
    if (parseInt(padded[2], 10) >= 5) value += 1;
    return value;
  }

  function parseIso8601Duration(text) {
    const match = ISO8601_DURATION.exec(text);
    if (!match) return null;
    const [, years, months, days, hours, minutes, seconds] = match;
    if ([years, months, days, hours, minutes, seconds].every((part) => part === undefined)) return null;
    if (text.includes("T") && hours === undefined && minutes === undefined && seconds === undefined) return null;
    const wholeDays = int(years) * 365 + int(months) * 30 + int(days);
    return wholeDays * CS_DAY + int(hours) * CS_HOUR + int(minutes) * CS_MINUTE + secondsToCentiseconds(seconds || "0");
  }

  function formatIso8601Duration(centiseconds) {
    let rest = Math.max(centiseconds, 0);
    const hours = Math.floor(rest / CS_HOUR);
    rest -= hours * CS_HOUR;
    const minutes = Math.floor(rest / CS_MINUTE);
    rest -= minutes * CS_MINUTE;
    const whole = Math.floor(rest / CS_SECOND);
    const hundredths = rest - whole * CS_SECOND;
    let seconds = String(whole);
    if (hundredths !== 0) seconds = `${whole}.${String(hundredths).padStart(2, "0")}`.replace(/0+$/, "");
    return `PT${hours}H${minutes}M${seconds}S`;
  }

  function parseCmiTimespan(text) {
    const match = CMI_TIMESPAN.exec(text);
    if (!match) return null;
    const [, hours, minutes, seconds] = match;
    if (parseInt(minutes, 10) > 59 || parseFloat(seconds) >= 60) return null;
    return parseInt(hours, 10) * CS_HOUR + parseInt(minutes, 10) * CS_MINUTE + secondsToCentiseconds(seconds);
  }

  function formatCmiTimespan(centiseconds) {
    let rest = Math.min(Math.max(centiseconds, 0), LONGEST_CMI_TIMESPAN);
    const hours = Math.floor(rest / CS_HOUR);
    rest -= hours * CS_HOUR;
    const minutes = Math.floor(rest / CS_MINUTE);
    rest -= minutes * CS_MINUTE;
    const seconds = Math.floor(rest / CS_SECOND);
    const hundredths = rest - seconds * CS_SECOND;
    return `${String(hours).padStart(4, "0")}:${pad2(minutes)}:${pad2(seconds)}.${pad2(hundredths)}`;
  }

  function parseCmiTime(text) {
    const match = CMI_TIME.exec(text);
    if (!match) return null;
    const [, hours, minutes, seconds] = match;
    if (parseInt(hours, 10) > 23 || parseInt(minutes, 10) > 59 || parseFloat(seconds) >= 60) return null;
    return parseInt(hours, 10) * CS_HOUR + parseInt(minutes, 10) * CS_MINUTE + secondsToCentiseconds(seconds);
  }

  function addSessionTime(version, total, session) {
    const parse = version === "1.2" ? parseCmiTimespan : parseIso8601Duration;
    const format = version === "1.2" ? formatCmiTimespan : formatIso8601Duration;
    return format((parse(total || "") || 0) + (parse(session || "") || 0));
  }

  function int(text) {
    return text === undefined ? 0 : parseInt(text, 10);
  }

  function pad2(value) {
    return String(value).padStart(2, "0");
  }

  // --- value checks (runtime/datatypes.py) ---

  const regexCache = new Map();
  function compiled(source) {
    if (!regexCache.has(source)) regexCache.set(source, new RegExp(source));
    return regexCache.get(source);
  }

  function problem(condition, detail) {
    return { condition, detail };
  }

  function number(regex, value) {
    if (!compiled(regex).test(value)) return null;
    const parsed = Number(value);
    return Number.isNaN(parsed) ? null : parsed;
  }

  function isLanguageTag(rules, tag) {
    const subtags = tag.split("-");
    const primary = subtags[0].toLowerCase();
    if (primary !== "i" && primary !== "x" && !rules.languageCodes.has(primary)) return false;
    return subtags.slice(1).every((subtag) => LANGUAGE_SUBTAG.test(subtag));
  }

  function splitLanguage(rules, value) {
    if (!value.startsWith(LANGUAGE_DELIMITER)) return [null, value];
    const end = value.indexOf("}");
    if (end < 0) return null;
    const language = value.slice(LANGUAGE_DELIMITER.length, end);
    if (!isLanguageTag(rules, language)) return null;
    return [language, value.slice(end + 1)];
  }

  function checkValue(rules, rule, value, options, interactionType) {
    if (rule.emptyAllowed && value === "") return null;
    return CHECKS[rule.check](rules, rule, value, options, interactionType);
  }

  function checkLength(rules, rule, length, options) {
    let limit = null;
    if (rule.limit === "suspend_data") limit = options.suspendDataLimit(rules);
    else if (rule.spm !== null && options.enforcesSmallestPermittedMaximum(rules)) limit = rule.spm;
    if (limit !== null && length > limit) return problem("too_long", `${length} characters; the limit is ${limit}`);
    return null;
  }

  function checkItemLength(rules, spec, length, options) {
    const spm = spec.spm ?? (spec.kind === "short_identifier" ? 250 : null);
    if (spm !== null && length > spm && options.enforcesSmallestPermittedMaximum(rules)) {
      return problem("too_long", `${length} characters; the smallest permitted maximum is ${spm}`);
    }
    return null;
  }

  function checkRange(rule, value) {
    if (!rule.range) return null;
    const [low, high] = rule.range;
    if ((low !== null && value < low) || (high !== null && value > high)) {
      return problem("out_of_range", `${value} is outside [${low ?? "-∞"}, ${high ?? "∞"}]`);
    }
    return null;
  }

  function identifierProblem(typeSpec, value) {
    if (value === "") return problem("type_mismatch", "an identifier cannot be empty");
    if (!compiled(typeSpec.regex).test(value)) return problem("type_mismatch", `'${value.slice(0, 80)}' is not an identifier`);
    if (typeSpec.urn_regex && value.slice(0, 4).toLowerCase() === "urn:" && !compiled(typeSpec.urn_regex).test(value)) {
      return problem("type_mismatch", `'${value.slice(0, 80)}' is not a well-formed URN`);
    }
    return null;
  }

  function isTimestamp(typeSpec, value) {
    const match = compiled(typeSpec.regex).exec(value);
    if (!match) return false;
    const [, year, month, day, hour, minute, second, , zone] = match;
    const [firstYear, lastYear] = typeSpec.year_range;
    if (parseInt(year, 10) < firstYear || parseInt(year, 10) > lastYear) return false;
    if (month !== undefined && (parseInt(month, 10) < 1 || parseInt(month, 10) > 12)) return false;
    if (day !== undefined) {
      const days = new Date(Date.UTC(parseInt(year, 10), parseInt(month, 10), 0)).getUTCDate();
      if (parseInt(day, 10) < 1 || parseInt(day, 10) > days) return false;
    }
    for (const [part, limit] of [[hour, 23], [minute, 59], [second, 59]]) {
      if (part !== undefined && parseInt(part, 10) > limit) return false;
    }
    if (zone && zone !== "Z") {
      const zoneHours = zone.slice(1, 3);
      const zoneMinutes = zone.slice(4, 6);
      if (parseInt(zoneHours, 10) > 23 || (zoneMinutes && parseInt(zoneMinutes, 10) > 59)) return false;
    }
    return true;
  }

  function checkResponse(rules, spec, value, options) {
    let text = value;
    const allowed = new Set(spec.flags || []);
    const seen = new Set();
    for (;;) {
      const flag = RESPONSE_FLAG.exec(text);
      if (!flag || !allowed.has(flag[1]) || seen.has(flag[1])) break;
      if (flag[2] !== "true" && flag[2] !== "false") return problem("type_mismatch", `{${flag[1]}=…} must be true or false`);
      seen.add(flag[1]);
      text = text.slice(flag[0].length);
    }
    if (text === "" && spec.empty_value) return null;
    const items = spec.delimiter ? text.split(spec.delimiter) : [text];
    if (spec.max_items && items.length > spec.max_items && options.enforcesSmallestPermittedMaximum(rules)) {
      return problem("too_long", `${items.length} items; the smallest permitted maximum is ${spec.max_items}`);
    }
    if (spec.unique && new Set(items).size !== items.length) return problem("type_mismatch", "the items must be unique");
    for (const item of items) {
      const found = checkResponseItem(rules, spec.item, item, options);
      if (found) return found;
    }
    return null;
  }

  function checkResponseItem(rules, spec, item, options) {
    const kind = spec.kind;
    if (kind === "short_identifier" || kind === "long_identifier") {
      return identifierProblem(rules.types[kind], item) || checkItemLength(rules, spec, item.length, options);
    }
    if (kind === "localized_string") {
      const parsed = splitLanguage(rules, item);
      if (parsed === null) return problem("type_mismatch", "malformed {lang=…} delimiter");
      return checkItemLength(rules, spec, parsed[1].length, options);
    }
    if (kind === "characterstring") return checkItemLength(rules, spec, item.length, options);
    if (kind === "vocabulary") return spec.vocabulary.includes(item) ? null : problem("type_mismatch", `'${item}' is not allowed`);
    if (kind === "real") {
      return number(rules.types.real.regex, item) !== null ? null : problem("type_mismatch", `'${item}' is not a number`);
    }
    if (kind === "numeric_range") return numericRangeProblem(rules, item);
    if (kind === "pair") return pairProblem(rules, spec, item, options);
    if (kind === "any_of") {
      const problems = spec.kinds.map((option) => checkResponseItem(rules, option, item, options));
      return problems.some((p) => p === null) ? null : problems[0];
    }
    throw new Error(`unknown response item kind ${kind}`);
  }

  function pairProblem(rules, spec, item, options) {
    const halves = item.split(spec.delimiter);
    if (halves.length !== 2) return problem("type_mismatch", `'${item}' is not a ${spec.delimiter}-separated pair`);
    const [first, second] = halves;
    if (spec.optional_half && (first === "") !== (second === "")) {
      // Performance records may omit the step name or the step answer, not both (2004 RTE table 4.2.9.1).
      return first === "" ? checkResponseItem(rules, spec.second, second, options)
        : checkResponseItem(rules, spec.first, first, options);
    }
    return checkResponseItem(rules, spec.first, first, options) || checkResponseItem(rules, spec.second, second, options);
  }

  function numericRangeProblem(rules, item) {
    const bounds = item.split("[:]");
    if (bounds.length > 2) return problem("type_mismatch", `'${item}' is not min[:]max`);
    const numbers = [];
    for (const bound of bounds) {
      if (bound === "" && bounds.length === 2) { numbers.push(null); continue; }
      const value = number(rules.types.real.regex, bound);
      if (value === null) return problem("type_mismatch", `'${bound}' is not a number`);
      numbers.push(value);
    }
    if (numbers.length === 2 && numbers[0] !== null && numbers[1] !== null && numbers[0] > numbers[1]) {
      return problem("type_mismatch", "the minimum of a numeric range exceeds its maximum");
    }
    return null;
  }

  const CHECKS = {
    characterstring: (rules, rule, value, options) => checkLength(rules, rule, value.length, options),
    localized_string(rules, rule, value, options) {
      const parsed = splitLanguage(rules, value);
      if (parsed === null) return problem("type_mismatch", "malformed {lang=…} delimiter");
      return checkLength(rules, rule, parsed[1].length, options);
    },
    language(rules, rule, value, options) {
      if (value !== "" && !isLanguageTag(rules, value)) return problem("type_mismatch", `'${value}' is not a language tag`);
      return checkLength(rules, rule, value.length, options);
    },
    identifier: (rules, rule, value, options) => identifierProblem(rule.typeSpec, value)
      || checkLength(rules, rule, value.length, options),
    real(rules, rule, value) {
      const parsed = number(rule.typeSpec.regex, value);
      return parsed === null ? problem("type_mismatch", `'${value}' is not a number`) : checkRange(rule, parsed);
    },
    integer(rules, rule, value) {
      const parsed = number(rule.typeSpec.regex, value);
      return parsed === null ? problem("type_mismatch", `'${value}' is not an integer`) : checkRange(rule, parsed);
    },
    vocabulary(rules, rule, value) {
      if (!rule.vocabulary.includes(value)) return problem("type_mismatch", `'${value}' is not one of ${rule.vocabulary.join(", ")}`);
      // SCORM 1.2 RTE §3.4: a SCO may not set lesson_status to "not attempted" (ADL CMICore → 405).
      if (rule.notSettable.has(value)) return problem("type_mismatch", `a SCO may not set '${value}'`);
      return null;
    },
    result(rules, rule, value) {
      if (rule.vocabulary.includes(value) || number(rule.typeSpec.regex, value) !== null) return null;
      return problem("type_mismatch", `'${value}' is neither a result keyword nor a number`);
    },
    timestamp: (rules, rule, value) => (isTimestamp(rule.typeSpec, value) ? null
      : problem("type_mismatch", `'${value}' is not a SCORM time(second,10,0) timestamp`)),
    timeinterval: (rules, rule, value) => (parseIso8601Duration(value) !== null ? null
      : problem("type_mismatch", `'${value}' is not an ISO 8601 duration`)),
    clock_time: (rules, rule, value) => (parseCmiTime(value) !== null ? null
      : problem("type_mismatch", `'${value}' is not a CMITime HH:MM:SS.SS`)),
    timespan: (rules, rule, value) => (parseCmiTimespan(value) !== null ? null
      : problem("type_mismatch", `'${value}' is not a CMITimespan HHHH:MM:SS.SS`)),
    nav_request: (rules, rule, value) => (rule.vocabulary.includes(value) || compiled(rule.typeSpec.target_regex).test(value)
      ? null : problem("type_mismatch", `'${value}' is not a navigation request`)),
    interaction_response(rules, rule, value, options, interactionType) {
      const formats = rules.interactionTypes[interactionType || ""];
      if (!formats) return problem("dependency_not_established", "the interaction has no type");
      return checkResponse(rules, formats[rule.typeSpec.response], value, options);
    },
  };

  // --- status evaluation (runtime/status.py) ---

  function decimal(text) {
    if (text === undefined || text === null || text === "") return null;
    const value = Number(text);
    return Number.isNaN(value) ? null : value;
  }

  function evaluatedCompletionStatus(values) {
    const threshold = decimal(values["cmi.completion_threshold"]);
    if (threshold === null) return values["cmi.completion_status"] ?? "unknown";
    const measure = decimal(values["cmi.progress_measure"]);
    if (measure === null) return "unknown";
    return measure >= threshold ? "completed" : "incomplete";
  }

  function evaluatedSuccessStatus(values) {
    const passing = decimal(values["cmi.scaled_passing_score"]);
    if (passing === null) return values["cmi.success_status"] ?? "unknown";
    const scaled = decimal(values["cmi.score.scaled"]);
    if (scaled === null) return "unknown";
    return scaled >= passing ? "passed" : "failed";
  }

  function evaluatedLessonStatus(values, options, finishing) {
    const status = values["cmi.core.lesson_status"] ?? "not attempted";
    const mastery = decimal(values["cmi.student_data.mastery_score"]);
    const raw = decimal(values["cmi.core.score.raw"]);
    const credit = values["cmi.core.credit"] ?? "credit";
    if (options.applyMasteryScore && credit === "credit" && mastery !== null && raw !== null) {
      return raw >= mastery ? "passed" : "failed";
    }
    if (finishing && status === "not attempted") {
      if (values["cmi.core.lesson_mode"] === "browse") return "browsed";
      return options.forceCompletedOnFinish ? "completed" : "incomplete";
    }
    return status;
  }

  function committedValues(rules, values, options) {
    const committed = Object.assign({}, values);
    if (rules.version === "1.2") {
      const status = evaluatedLessonStatus(values, options, false);
      if (status !== (values["cmi.core.lesson_status"] ?? "not attempted")) committed["cmi.core.lesson_status"] = status;
    }
    return committed;
  }

  function finishedValues(rules, values, options, fallbackSessionTime) {
    const finished = Object.assign({}, values);
    if (rules.version === "1.2") {
      finished["cmi.core.lesson_status"] = evaluatedLessonStatus(values, options, true);
    } else {
      if (has(values, "cmi.completion_threshold")) finished["cmi.completion_status"] = evaluatedCompletionStatus(values);
      if (has(values, "cmi.scaled_passing_score")) finished["cmi.success_status"] = evaluatedSuccessStatus(values);
    }
    const totalTime = rules.sessionElements.total_time;
    const sessionTime = values[rules.sessionElements.session_time] || fallbackSessionTime;
    const previous = values[totalTime] ?? (rules.elements[totalTime].default || "");
    finished[totalTime] = addSessionTime(rules.version, previous, sessionTime);
    return finished;
  }

  // --- the session (runtime/datamodel.py RuntimeSession) ---

  class SetRefused extends Error {
    constructor(condition, detail) {
      super(detail);
      this.condition = condition;
      this.detail = detail;
    }
  }

  class RuntimeSession {
    constructor(rules, values, options, sharedDataAccess) {
      this.rules = rules;
      this.options = makeOptions(options);
      this.phase = "not_initialized";
      this._values = Object.assign({}, values || {});
      this._sharedDataAccess = Object.assign({}, sharedDataAccess || {});
      this._counts = arrayCounts(rules, this._values);
      this._errorCode = 0;
      this._diagnostic = "";
      // Elements SetValue changed in this session, in order: what a commit sends (the server re-validates them).
      this.changed = new Set();
    }

    get version() { return this.rules.version; }

    get values() { return Object.assign({}, this._values); }

    initialize(argument = "") {
      if (argument !== "") return this._fail("initialize_argument", `the argument must be an empty string, not '${argument}'`);
      if (this.phase === "running") return this._fail("initialize_already_initialized", "Initialize was already called");
      if (this.phase === "terminated") return this._fail("initialize_after_terminate", "the session has ended");
      this.phase = "running";
      return this._succeed("true");
    }

    terminate(argument = "", fallbackSessionTime = null) {
      if (this.phase === "not_initialized") return this._fail("terminate_before_initialize", "the session was never initialized");
      if (this.phase === "terminated") return this._fail("terminate_after_terminate", "the session has already ended");
      if (argument !== "") return this._fail("terminate_argument", `the argument must be an empty string, not '${argument}'`);
      this._values = finishedValues(this.rules, this._values, this.options, fallbackSessionTime);
      this.phase = "terminated";
      return this._succeed("true");
    }

    getValue(element) {
      if (this.phase !== "running") {
        return this._fail(this.phase === "not_initialized" ? "get_before_initialize" : "get_after_terminate",
          "GetValue outside a running session", "");
      }
      if (element === "") return this._fail("get_empty_element", "no element named", "");
      const path = resolveElement(this.rules, element);
      if (path.kind === "undefined") return this._fail(path.undefinedCondition, `${element} is not a data model element`, "");
      if (path.kind === "keyword") return this._getKeyword(path, element);
      const rule = this.rules.elements[path.pattern];
      if (!rule.readable) return this._fail("write_only", `${element} is write-only`, "");
      for (const [, arrayPath, index] of arrayItemPrefixes(path)) {
        if (index >= (this._counts[arrayPath] || 0)) return this._fail("get_index_out_of_range", `${arrayPath} has no record ${index}`, "");
      }
      if (rule.sharedData && !this._sharedDataAllows(path, "read")) {
        return this._fail("write_only", `${element} may not be read by this SCO (readSharedData)`, "");
      }
      const value = this._read(rule, path);
      if (value === null || value === undefined) {
        if (this.rules.errorCode("value_not_initialized") === null) return this._succeed("");
        return this._fail("value_not_initialized", `${element} has no value yet`, "");
      }
      return this._succeed(value);
    }

    setValue(element, value) {
      if (this.phase !== "running") {
        return this._fail(this.phase === "not_initialized" ? "set_before_initialize" : "set_after_terminate",
          "SetValue outside a running session");
      }
      if (element === "") return this._fail("set_empty_element", "no element named");
      try {
        this._store(element, String(value));
      } catch (refusal) {
        if (!(refusal instanceof SetRefused)) throw refusal;
        return this._fail(refusal.condition, `${element}: ${refusal.detail}`);
      }
      return this._succeed("true");
    }

    commit(argument = "") {
      if (this.phase !== "running") {
        return this._fail(this.phase === "not_initialized" ? "commit_before_initialize" : "commit_after_terminate",
          "Commit outside a running session");
      }
      if (argument !== "") return this._fail("commit_argument", `the argument must be an empty string, not '${argument}'`);
      this._values = committedValues(this.rules, this._values, this.options);
      return this._succeed("true");
    }

    getLastError() { return String(this._errorCode); }

    getErrorString(code) { return this._message(String(code)).slice(0, LONGEST_ERROR_TEXT); }

    getDiagnostic(code = "") {
      const text = code === "" || String(code) === String(this._errorCode)
        ? (this._diagnostic || this._message(String(this._errorCode))) : this._message(String(code));
      return text.slice(0, LONGEST_ERROR_TEXT);
    }

    /** Record a failure the caller detected (e.g. a refused server commit → 391/101). */
    fail(condition, detail) { return this._fail(condition, detail); }

    failWithCode(code, detail) {
      this._errorCode = code;
      this._diagnostic = `${this._message(String(code))}: ${detail}`;
      return "false";
    }

    /** What a commit sends: the elements this session set, with their current values. */
    changedValues() {
      const out = {};
      for (const name of this.changed) {
        if (has(this._values, name)) out[name] = this._values[name];
      }
      return out;
    }

    _getKeyword(path, element) {
      const base = path.pattern;
      if (path.keyword === "_version") {
        if (base === "cmi") return this._succeed(this.rules.dataModelVersion);
        return this._fail("undefined_element", `${element} is not a data model element`, "");
      }
      if (path.keyword === "_children") {
        const group = this.rules.containers[base] || this.rules.arrays[base];
        if (group && group.children) return this._succeed(group.children);
        if (group || has(this.rules.elements, base)) return this._fail("children_not_supported", `${path.path} has no children`, "");
        return this._fail("undefined_element", `${element} is not a data model element`, "");
      }
      if (has(this.rules.arrays, base)) {
        for (const [, arrayPath, index] of arrayItemPrefixes(path)) {
          if (index >= (this._counts[arrayPath] || 0)) return this._fail("get_index_out_of_range", `${arrayPath} has no record ${index}`, "");
        }
        return this._succeed(String(this._counts[path.path] || 0));
      }
      if (has(this.rules.elements, base) || has(this.rules.containers, base)) {
        return this._fail("count_not_supported", `${path.path} is not an array`, "");
      }
      return this._fail("undefined_element", `${element} is not a data model element`, "");
    }

    _read(rule, path) {
      if (rule.evaluated !== null) {
        return rule.evaluated === "completion_status" ? evaluatedCompletionStatus(this._values)
          : evaluatedSuccessStatus(this._values);
      }
      const stored = this._values[path.path];
      return stored !== undefined ? stored : rule.default;
    }

    _store(element, value) {
      const path = resolveElement(this.rules, element);
      if (path.kind === "undefined") throw new SetRefused(path.undefinedCondition, "not a data model element");
      if (path.kind === "keyword") {
        const known = path.pattern === "cmi" || isKnownGroup(this.rules, path.pattern) || has(this.rules.elements, path.pattern);
        throw new SetRefused(known ? "set_keyword" : "undefined_element", `${path.keyword} is a keyword`);
      }
      const rule = this.rules.elements[path.pattern];
      if (!rule.writable) throw new SetRefused("read_only", "read-only");
      if (rule.sharedData && !this._sharedDataAllows(path, "write")) {
        throw new SetRefused("read_only", "this SCO may not write the shared data bucket (writeSharedData)");
      }
      this._checkIndices(path);
      this._checkDependencies(rule, path);
      const interactionType = rule.check === "interaction_response" ? this._interactionType(rule, path) : null;
      const stored = has(this._values, path.path) ? this._values[path.path] : null;
      const newValue = rule.append ? (stored || rule.default || "") + value : value;
      const found = checkValue(this.rules, rule, newValue, this.options, interactionType);
      if (found) throw new SetRefused(found.condition, found.detail);
      this._checkIdentity(rule, path, value, stored);
      this._values[path.path] = newValue;
      this.changed.add(path.path);
      for (const [, arrayPath, index] of arrayItemPrefixes(path)) {
        this._counts[arrayPath] = Math.max(this._counts[arrayPath] || 0, index + 1);
      }
    }

    _checkIndices(path) {
      // An index may address an existing record or append at _count, never leave a gap (2004 → 351; 1.2 → 402).
      for (const [arrayPattern, arrayPath, index] of arrayItemPrefixes(path)) {
        const array = this.rules.arrays[arrayPattern];
        const count = this._counts[arrayPath] || 0;
        if (index > count || (index === count && array.seededOnly)) {
          throw new SetRefused("set_index_out_of_range", `${arrayPath} has ${count} records; cannot set record ${index}`);
        }
        if (array.maxCountByInteractionType && this.rules.errorCode("too_many_correct_responses") !== null) {
          const typePath = concretePath(array.maxCountByInteractionType, path.indices);
          const type = this._values[typePath] || "";
          const limit = (this.rules.interactionTypes[type] || {}).max_correct_responses;
          if (limit !== undefined && index >= limit) {
            throw new SetRefused("too_many_correct_responses", `a ${type} interaction has at most ${limit} correct response(s)`);
          }
        }
      }
    }

    _checkDependencies(rule, path) {
      // SCORM 2004 RTE §4.2.9, §4.2.17: an array record's id (and an interaction's type) come first → 408.
      if (this.rules.errorCode("dependency_not_established") === null) return;
      for (const required of rule.requires) {
        const requiredPath = concretePath(required, path.indices);
        if (!has(this._values, requiredPath)) throw new SetRefused("dependency_not_established", `${requiredPath} must be set first`);
      }
    }

    _checkIdentity(rule, path, value, stored) {
      if (rule.writeOnce && stored !== null && stored !== value && this.rules.errorCode("identifier_changed")) {
        throw new SetRefused("identifier_changed", `the identifier is already '${stored}'`);
      }
      if (rule.uniqueWithinArray && this.rules.errorCode("duplicate_identifier") !== null) {
        this._checkUniqueInArray(path, value, "duplicate_identifier");
      }
      if (rule.check === "interaction_response" && rule.typeSpec.response === "correct_response"
          && this.rules.errorCode("duplicate_correct_response") !== null) {
        const type = this._interactionType(rule, path) || "";
        if ((this.rules.interactionTypes[type] || {}).unique_correct_responses) {
          this._checkUniqueInArray(path, value, "duplicate_correct_response");
        }
      }
    }

    _checkUniqueInArray(path, value, condition) {
      const prefixes = arrayItemPrefixes(path);
      const [, arrayPath, ownIndex] = prefixes[prefixes.length - 1];
      const leaf = path.path.slice(`${arrayPath}.${ownIndex}.`.length);
      for (let index = 0; index < (this._counts[arrayPath] || 0); index += 1) {
        if (index !== ownIndex && this._values[`${arrayPath}.${index}.${leaf}`] === value) {
          throw new SetRefused(condition, `'${value.slice(0, 80)}' is already used by ${arrayPath}.${index}`);
        }
      }
    }

    _interactionType(rule, path) {
      const found = this._values[concretePath(rule.typeSpec.type_element, path.indices)];
      return found === undefined ? null : found;
    }

    _sharedDataAllows(path, operation) {
      const bucketId = this._values[concretePath(SHARED_DATA_BUCKET_ID, path.indices)];
      const access = this._sharedDataAccess[bucketId || ""] || "read-write";
      return access === "read-write" || access === `${operation}-only`;
    }

    _succeed(result) {
      this._errorCode = 0;
      this._diagnostic = "";
      return result;
    }

    _fail(condition, detail, result = "false") {
      const code = this.rules.errorCode(condition);
      this._errorCode = code === null ? 101 : code;
      this._diagnostic = `${this._message(String(this._errorCode))}: ${detail}`;
      return result;
    }

    _message(code) {
      if (!/^[0-9]+$/.test(code) || String(parseInt(code, 10)) !== code) return "";
      return this.rules.messages[parseInt(code, 10)] || "";
    }
  }

  function arrayCounts(rules, values) {
    const counts = {};
    for (const name of Object.keys(values)) {
      const path = resolveElement(rules, name);
      if (path.kind !== "element") continue;
      for (const [, arrayPath, index] of arrayItemPrefixes(path)) {
        counts[arrayPath] = Math.max(counts[arrayPath] || 0, index + 1);
      }
    }
    return counts;
  }

  const namespace = global.LearnhubScorm || (global.LearnhubScorm = {});
  Object.assign(namespace, {
    buildRules,
    RuntimeSession,
    resolveElement,
    durations: { parseIso8601Duration, formatIso8601Duration, parseCmiTimespan, formatCmiTimespan, parseCmiTime },
  });
}(typeof window !== "undefined" ? window : globalThis));
