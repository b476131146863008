//! Learning-record export: a session as xAPI 1.0.3 statements following cmi5's rules.
//!
//! One `answered` statement per trainee turn (a `cmi.interaction`), framed by cmi5's
//! `initialized`, `completed`, `passed` or `failed`, and `terminated`. Statement ids are
//! name-based UUIDs (v5) derived from the registration, so re-sending a queued batch can
//! never create duplicates in a learning record store: the store sees the same ids again.
//!
//! Pure: the caller supplies the start time (the core has no clock). [`problems`] checks
//! statements against the spec's required fields and cmi5's verb rules; exports run it
//! before anything is written or sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::debrief::skills::SkillScores;
use crate::engine::events::SessionEvent;
use crate::engine::journal::SessionMeta;
use crate::engine::record::SessionRecord;
use crate::scenario::model::OutcomeKind;

/// Namespace for Holdspace's name-based UUIDs (itself a v5 UUID of the project's URL).
const NAMESPACE: Uuid = Uuid::from_u128(0x6b1d_4f0e_8a53_5c1e_9d2b_4e7a_0c3f_9a11);

/// ADL and cmi5 vocabulary.
pub mod vocab {
    /// `initialized` (cmi5: first statement of a session).
    pub const INITIALIZED: &str = "http://adlnet.gov/expapi/verbs/initialized";
    /// `answered`, for each turn.
    pub const ANSWERED: &str = "http://adlnet.gov/expapi/verbs/answered";
    /// `completed` (cmi5: no score, no success).
    pub const COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
    /// `passed` (cmi5: success true).
    pub const PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
    /// `failed` (cmi5: success false).
    pub const FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
    /// `terminated` (cmi5: last statement of a session).
    pub const TERMINATED: &str = "http://adlnet.gov/expapi/verbs/terminated";
    /// Activity type of a scenario.
    pub const SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";
    /// Activity type of a turn.
    pub const INTERACTION: &str = "http://adlnet.gov/expapi/activities/cmi.interaction";
    /// cmi5 category: marks cmi5-defined statements.
    pub const CMI5_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
    /// cmi5 category: statements that satisfy moveOn.
    pub const MOVEON_CATEGORY: &str = "https://w3id.org/xapi/cmi5/context/categories/moveon";
    /// cmi5 context extension carrying the session id.
    pub const SESSION_ID: &str = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
}

/// Where statements say they come from and who they are about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct XapiSettings {
    /// The organisation's home page for trainee accounts (`actor.account.homePage`).
    pub home_page: String,
    /// Base IRI of activity ids: `<base>/scenarios/<id>`.
    pub activity_base: String,
}

impl Default for XapiSettings {
    fn default() -> Self {
        XapiSettings {
            home_page: "https://holdspace.invalid/trainees".to_owned(),
            activity_base: "https://holdspace.invalid/xapi".to_owned(),
        }
    }
}

/// Why statements could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XapiError {
    /// The start time is not RFC 3339.
    #[error("start time \"{0}\" is not an RFC 3339 timestamp")]
    BadStart(String),
}

/// The registration (cmi5: one per enrolment attempt) of a session: stable for its id.
pub fn registration(meta: &SessionMeta) -> Uuid {
    Uuid::new_v5(&NAMESPACE, format!("{}/{}", meta.profile, meta.session_id).as_bytes())
}

/// Everything an export needs besides the record.
#[derive(Debug, Clone, Copy)]
pub struct Timing<'a> {
    /// Milliseconds from the start to each turn.
    pub turn_times_ms: &'a [u64],
    /// Milliseconds from the start to the end, when it ended on purpose.
    pub ended_at_ms: Option<u64>,
}

/// ISO 8601 duration with centisecond precision, as xAPI asks (`PT1M5.25S` style, in seconds).
pub fn iso_duration(ms: u64) -> String {
    let centis = ms / 10;
    let (s, cs) = (centis / 100, centis % 100);
    if cs == 0 {
        format!("PT{s}S")
    } else {
        format!("PT{s}.{cs:02}S")
    }
}

/// The statements for a session, in order.
pub fn statements(
    record: &SessionRecord,
    meta: &SessionMeta,
    timing: Timing<'_>,
    settings: &XapiSettings,
) -> Result<Vec<Value>, XapiError> {
    let start =
        OffsetDateTime::parse(&meta.started_at, &Rfc3339).map_err(|_| XapiError::BadStart(meta.started_at.clone()))?;
    let stamp = |ms: u64| -> String {
        let at = start + time::Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX / 2));
        at.format(&Rfc3339).unwrap_or_else(|_| meta.started_at.clone())
    };
    let registration = registration(meta);
    let base = settings.activity_base.trim_end_matches('/');
    let scenario_iri = format!("{base}/scenarios/{}", record.scenario_id);
    let ext = |name: &str| format!("{base}/extensions/{name}");
    let actor = json!({
        "objectType": "Agent",
        "name": meta.profile,
        "account": { "homePage": settings.home_page, "name": meta.profile },
    });
    let scenario_object = json!({
        "objectType": "Activity",
        "id": scenario_iri,
        "definition": {
            "type": vocab::SIMULATION,
            "name": { "en": record.scenario_title },
        },
    });
    let context = |categories: &[&str], parent: bool| -> Value {
        let mut ctx = json!({
            "registration": registration.to_string(),
            "platform": format!("Holdspace {}", meta.app_version),
            "language": "en",
            "extensions": { vocab::SESSION_ID: meta.session_id },
        });
        let mut activities = Map::new();
        if !categories.is_empty() {
            let list: Vec<Value> = categories.iter().map(|c| json!({ "id": c })).collect();
            activities.insert("category".into(), Value::Array(list));
        }
        if parent {
            activities.insert("parent".into(), json!([{ "id": scenario_iri }]));
        }
        if !activities.is_empty() {
            ctx["contextActivities"] = Value::Object(activities);
        }
        ctx
    };
    let mut n = 0u32;
    let mut statement = |verb: &str, object: Value, result: Option<Value>, context: Value, at_ms: u64| -> Value {
        n += 1;
        let display = verb.rsplit('/').next().unwrap_or(verb);
        let mut s = json!({
            "id": Uuid::new_v5(&registration, format!("{n}:{display}").as_bytes()).to_string(),
            "actor": actor,
            "verb": { "id": verb, "display": { "en": display } },
            "object": object,
            "context": context,
            "timestamp": stamp(at_ms),
        });
        if let Some(r) = result {
            s["result"] = r;
        }
        s
    };

    let mut out = vec![statement(
        vocab::INITIALIZED,
        scenario_object.clone(),
        None,
        context(&[vocab::CMI5_CATEGORY], false),
        0,
    )];

    // The options on offer before each turn, for the interaction's choices.
    let mut offered: Vec<(u32, &Vec<crate::engine::events::OfferedReply>)> = Vec::new();
    for e in &record.events {
        if let SessionEvent::OptionsOffered { turn, options } = e {
            offered.push((*turn, options));
        }
    }
    for (i, t) in record.turns.iter().enumerate() {
        let at = timing.turn_times_ms.get(i).copied().unwrap_or(0);
        let choices = offered.iter().find(|(turn, _)| *turn == t.turn).map(|(_, o)| *o);
        let as_choice = t.input.chosen_option.is_some() || (choices.is_some() && t.reply.is_some());
        let mut definition = json!({
            "type": vocab::INTERACTION,
            "name": { "en": format!("{}: turn {}", record.scenario_title, t.turn) },
            "description": { "en": t.customer_said },
        });
        let response = match (as_choice, choices, &t.reply) {
            (true, Some(options), Some(reply)) => {
                definition["interactionType"] = json!("choice");
                definition["choices"] = Value::Array(
                    options
                        .iter()
                        .map(|o| json!({ "id": o.id, "description": { "en": o.text } }))
                        .collect(),
                );
                reply.clone()
            }
            _ => {
                definition["interactionType"] = json!("long-fill-in");
                t.words().to_owned()
            }
        };
        let object = json!({
            "objectType": "Activity",
            "id": format!("{scenario_iri}/steps/{}", t.step),
            "definition": definition,
        });
        let intents: Vec<&str> = t.analysis.intents.iter().map(|i| i.label()).collect();
        let mut extensions = json!({
            ext("turn"): t.turn,
            ext("said"): t.words(),
            ext("intents"): intents,
            ext("paraphrase"): t.analysis.paraphrase,
            ext("escalation-before"): t.before.escalation,
            ext("escalation-after"): t.after.escalation,
            ext("trust-after"): t.after.trust,
            ext("band-after"): t.after.band.label(),
            ext("cues-noticed"): t.cues_noticed,
        });
        let d = &t.input.delivery;
        if let Some(v) = d.words_per_min {
            extensions[ext("words-per-min")] = json!(v);
        }
        if let Some(v) = d.loudness_db {
            extensions[ext("loudness-db")] = json!(v);
        }
        if let Some(v) = d.pause_before_s {
            extensions[ext("pause-before-s")] = json!(v);
        }
        if d.interrupted {
            extensions[ext("interrupted")] = json!(true);
        }
        let result = json!({ "response": response, "extensions": extensions });
        out.push(statement(vocab::ANSWERED, object, Some(result), context(&[], true), at));
    }

    if let (Some(outcome), Some(end)) = (&record.outcome, timing.ended_at_ms) {
        let duration = iso_duration(end);
        out.push(statement(
            vocab::COMPLETED,
            scenario_object.clone(),
            Some(json!({ "completion": true, "duration": duration })),
            context(&[vocab::CMI5_CATEGORY, vocab::MOVEON_CATEGORY], false),
            end,
        ));
        let passed = outcome.kind == OutcomeKind::Resolved;
        let score = SkillScores::of(record).overall();
        out.push(statement(
            if passed { vocab::PASSED } else { vocab::FAILED },
            scenario_object.clone(),
            Some(json!({
                "success": passed,
                "score": { "scaled": score, "raw": (score * 100.0).round(), "min": 0, "max": 100 },
                "duration": duration,
                "extensions": { ext("outcome"): outcome.id, ext("outcome-kind"): outcome.kind.label() },
            })),
            context(&[vocab::CMI5_CATEGORY, vocab::MOVEON_CATEGORY], false),
            end,
        ));
    }
    if let Some(end) = timing.ended_at_ms {
        out.push(statement(
            vocab::TERMINATED,
            scenario_object,
            Some(json!({ "duration": iso_duration(end) })),
            context(&[vocab::CMI5_CATEGORY], false),
            end,
        ));
    }
    Ok(out)
}

fn is_iri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn is_duration(s: &str) -> bool {
    s.starts_with('P') && s.len() > 2 && s[1..].chars().all(|c| c.is_ascii_digit() || "YMDTHS.W".contains(c))
}

/// Checks statements against xAPI 1.0.3's required fields and cmi5's rules for its verbs;
/// returns every problem found as `statement N: …` (empty when they conform).
pub fn problems(statements: &[Value]) -> Vec<String> {
    let mut out = Vec::new();
    let mut verbs = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        let mut bad = |msg: String| out.push(format!("statement {}: {msg}", i + 1));
        if s.get("id")
            .and_then(Value::as_str)
            .and_then(|id| Uuid::parse_str(id).ok())
            .is_none()
        {
            bad("`id` is not a UUID".into());
        }
        let actor = &s["actor"];
        let ifis = ["mbox", "mbox_sha1sum", "openid", "account"]
            .iter()
            .filter(|k| actor.get(**k).is_some())
            .count();
        if ifis != 1 {
            bad(format!("`actor` needs exactly one identifier, has {ifis}"));
        }
        if let Some(account) = actor.get("account")
            && (account["name"].as_str().is_none_or(str::is_empty) || !account["homePage"].as_str().is_some_and(is_iri))
        {
            bad("`actor.account` needs `name` and an IRI `homePage`".into());
        }
        let verb = s["verb"]["id"].as_str().unwrap_or_default();
        if !is_iri(verb) {
            bad("`verb.id` is not an IRI".into());
        }
        if s["verb"].get("display").is_some_and(|d| !d.is_object()) {
            bad("`verb.display` must be a language map".into());
        }
        if !s["object"]["id"].as_str().is_some_and(is_iri) {
            bad("`object.id` is not an IRI".into());
        }
        if s.get("timestamp")
            .and_then(Value::as_str)
            .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
            .is_none()
        {
            bad("`timestamp` is not RFC 3339".into());
        }
        let ctx = &s["context"];
        if ctx["registration"]
            .as_str()
            .and_then(|r| Uuid::parse_str(r).ok())
            .is_none()
        {
            bad("`context.registration` is not a UUID (cmi5 requires it)".into());
        }
        if ctx["extensions"][vocab::SESSION_ID].as_str().is_none() {
            bad("no cmi5 session id extension".into());
        }
        let categories: Vec<&str> = ctx["contextActivities"]["category"]
            .as_array()
            .map(|a| a.iter().filter_map(|c| c["id"].as_str()).collect())
            .unwrap_or_default();
        let result = &s["result"];
        let has_duration = result["duration"].as_str().is_some_and(is_duration);
        let cmi5_verb = [
            vocab::INITIALIZED,
            vocab::COMPLETED,
            vocab::PASSED,
            vocab::FAILED,
            vocab::TERMINATED,
        ]
        .contains(&verb);
        if cmi5_verb && !categories.contains(&vocab::CMI5_CATEGORY) {
            bad("a cmi5-defined statement needs the cmi5 category".into());
        }
        if !cmi5_verb && categories.contains(&vocab::CMI5_CATEGORY) {
            bad("only cmi5-defined statements may carry the cmi5 category".into());
        }
        match verb {
            vocab::COMPLETED => {
                if result["completion"] != json!(true) {
                    bad("cmi5 `completed` needs result.completion = true".into());
                }
                if result.get("success").is_some() || result.get("score").is_some() {
                    bad("cmi5 `completed` must not carry success or score".into());
                }
            }
            vocab::PASSED | vocab::FAILED => {
                let want = verb == vocab::PASSED;
                if result["success"] != json!(want) {
                    bad(format!(
                        "cmi5 `{}` needs result.success = {want}",
                        verb.rsplit('/').next().unwrap_or(verb)
                    ));
                }
                if result.get("completion").is_some_and(|c| c == &json!(false)) {
                    bad("cmi5 passed/failed must not say completion = false".into());
                }
                if let Some(scaled) = result["score"].get("scaled")
                    && !scaled.as_f64().is_some_and(|v| (0.0..=1.0).contains(&v))
                {
                    bad("score.scaled must be within 0..1".into());
                }
            }
            _ => {}
        }
        if [vocab::COMPLETED, vocab::PASSED, vocab::FAILED, vocab::TERMINATED].contains(&verb) && !has_duration {
            bad("cmi5 requires result.duration (ISO 8601) on completed, passed, failed and terminated".into());
        }
        if [vocab::COMPLETED, vocab::PASSED, vocab::FAILED].contains(&verb)
            && !categories.contains(&vocab::MOVEON_CATEGORY)
        {
            bad("cmi5 completed/passed/failed need the moveOn category".into());
        }
        verbs.push(verb.to_owned());
    }
    if !verbs.is_empty() {
        if verbs.first().map(String::as_str) != Some(vocab::INITIALIZED) {
            out.push("cmi5: the first statement of a session must be `initialized`".into());
        }
        if let Some(t) = verbs.iter().position(|v| v == vocab::TERMINATED)
            && t + 1 != verbs.len()
        {
            out.push("cmi5: nothing may follow `terminated`".into());
        }
        let count = |v: &str| verbs.iter().filter(|x| x.as_str() == v).count();
        if count(vocab::COMPLETED) > 1 || count(vocab::PASSED) + count(vocab::FAILED) > 1 {
            out.push("cmi5: one completed and one passed-or-failed per session at most".into());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TurnInput;
    use crate::engine::{Mode, Session};
    use crate::testing::by_id;

    fn meta() -> SessionMeta {
        SessionMeta {
            session_id: "20261122T100000Z-delivery_bereavement-1".into(),
            profile: "sam".into(),
            started_at: "2026-11-22T10:00:00Z".into(),
            app_version: "0.1.0".into(),
            pid: 1,
            origin: "test".into(),
            retried_from: None,
        }
    }

    fn session(choices: &[&str]) -> SessionRecord {
        let (mut s, _) = Session::new(by_id("delivery_bereavement"), 1, Mode::Guided);
        for c in choices {
            s.respond(TurnInput::choose(*c)).expect("accepted");
        }
        s.record()
    }

    #[test]
    fn a_finished_session_gives_conformant_cmi5_statements() {
        let record = session(&["order_number", "check_tracking", "express_thursday"]);
        let times = [4_000, 9_500, 15_020];
        let all = statements(
            &record,
            &meta(),
            Timing {
                turn_times_ms: &times,
                ended_at_ms: Some(16_000),
            },
            &XapiSettings::default(),
        )
        .unwrap();
        assert_eq!(problems(&all), Vec::<String>::new());
        let verbs: Vec<&str> = all
            .iter()
            .map(|s| s["verb"]["display"]["en"].as_str().unwrap())
            .collect();
        assert_eq!(
            verbs,
            [
                "initialized",
                "answered",
                "answered",
                "answered",
                "completed",
                "failed",
                "terminated"
            ]
        );
        assert_eq!(all[1]["object"]["definition"]["interactionType"], "choice");
        assert_eq!(all[1]["result"]["response"], "order_number");
        assert_eq!(all[2]["timestamp"], "2026-11-22T10:00:09.5Z");
        assert_eq!(all[5]["result"]["duration"], "PT16S");
        // Same inputs, same ids: a resent batch cannot duplicate statements in the store.
        let again = statements(
            &record,
            &meta(),
            Timing {
                turn_times_ms: &times,
                ended_at_ms: Some(16_000),
            },
            &XapiSettings::default(),
        )
        .unwrap();
        assert_eq!(all, again);
    }

    #[test]
    fn a_resolved_session_passes_and_a_cut_short_one_neither_completes_nor_terminates() {
        let (mut s, _) = Session::new(by_id("delivery_bereavement"), 1, Mode::Guided);
        for input in [
            TurnInput::say(
                "So it was meant to come on Tuesday, the tracking says out for delivery, and you need it by Friday.",
            ),
            TurnInput::say(
                "You said it doesn't matter why, but it sounds like it does. Would you tell me what it's for?",
            ),
            TurnInput::choose("guarantee_and_call"),
        ] {
            s.respond(input).unwrap();
        }
        let all = statements(
            &s.record(),
            &meta(),
            Timing {
                turn_times_ms: &[1, 2, 3],
                ended_at_ms: Some(61_230),
            },
            &XapiSettings::default(),
        )
        .unwrap();
        assert_eq!(problems(&all), Vec::<String>::new());
        let passed = all.iter().find(|s| s["verb"]["id"] == vocab::PASSED).expect("passed");
        assert_eq!(passed["result"]["success"], true);
        assert_eq!(passed["result"]["duration"], "PT61.23S");
        // Words matched to an offered reply answer that choice; the words themselves travel too.
        assert_eq!(all[1]["object"]["definition"]["interactionType"], "choice");
        let said = &all[1]["result"]["extensions"]["https://holdspace.invalid/xapi/extensions/said"];
        assert!(said.as_str().unwrap().contains("Tuesday"), "{said}");

        let (mut open, _) = Session::new(by_id("delivery_bereavement"), 1, Mode::Open);
        open.respond(TurnInput::say("Take your time.")).unwrap();
        let all = statements(
            &open.record(),
            &meta(),
            Timing {
                turn_times_ms: &[1],
                ended_at_ms: None,
            },
            &XapiSettings::default(),
        )
        .unwrap();
        assert_eq!(
            all[1]["object"]["definition"]["interactionType"], "long-fill-in",
            "open mode offers no choices"
        );
        assert_eq!(all[1]["result"]["response"], "Take your time.");

        let cut = statements(
            &session(&["order_number"]),
            &meta(),
            Timing {
                turn_times_ms: &[5],
                ended_at_ms: None,
            },
            &XapiSettings::default(),
        )
        .unwrap();
        assert_eq!(problems(&cut), Vec::<String>::new());
        assert_eq!(cut.len(), 2, "initialized and one answered: the LMS marks it abandoned");
    }

    #[test]
    fn the_checker_catches_cmi5_violations() {
        let record = session(&["order_number", "check_tracking", "express_thursday"]);
        let mut all = statements(
            &record,
            &meta(),
            Timing {
                turn_times_ms: &[1, 2, 3],
                ended_at_ms: Some(9),
            },
            &XapiSettings::default(),
        )
        .unwrap();
        all[4]["result"]["success"] = json!(true); // completed with success
        all[5]["result"].as_object_mut().unwrap().remove("duration"); // failed without duration
        all[1]["actor"]["mbox"] = json!("mailto:x@example.com"); // two identifiers
        all.swap(0, 1); // not initialized first
        let found = problems(&all).join("\n");
        for expected in [
            "must not carry success",
            "requires result.duration",
            "exactly one identifier",
            "must be `initialized`",
        ] {
            assert!(found.contains(expected), "{expected} in\n{found}");
        }
    }

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(iso_duration(0), "PT0S");
        assert_eq!(iso_duration(1_234), "PT1.23S");
        assert_eq!(iso_duration(125_000), "PT125S");
    }
}
