//! The cohort over a data folder (which may be a shared folder the headsets write to):
//! each trainee's skills over time, scenarios attempted, the cues most often missed and
//! the steps where sessions most often escalate, filtered by profile, scenario and date,
//! and a CSV of the sessions.
//!
//! Journals are the source of truth, read as they are; each is summarised once and the
//! summary kept until the file changes (its length or time), so a cohort of thousands of
//! sessions answers in milliseconds after the first scan. A journal that cannot be read
//! is listed as a problem and the rest go on.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use holdspace_core::LoadedScenario;
use holdspace_core::debrief::Debrief;
use holdspace_core::debrief::skills::{Skill, SkillScores};
use holdspace_core::engine::journal::{Journal, instant};
use holdspace_records::journal_file::JOURNAL_FILE;
use holdspace_records::store::process_alive;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// A turn that raised escalation by at least this much "escalated" (the debrief's
/// turning-point threshold).
const ESCALATED: f32 = 0.08;

/// How long a scan is reused before the folders are looked at again.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// One session, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Trainee profile.
    pub profile: String,
    /// Session id.
    pub id: String,
    /// Start, RFC 3339.
    pub started_at: String,
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title.
    pub scenario_title: String,
    /// How it ended (`None`: in progress, or cut short).
    pub outcome: Option<String>,
    /// Whether the outcome was a full resolution.
    pub resolved: bool,
    /// The journal has an end line.
    pub closed: bool,
    /// Its writer is still running.
    pub live: bool,
    /// Trainee turns.
    pub turns: usize,
    /// Highest escalation reached.
    pub peak: f32,
    /// Score per skill (label → 0..1), where there was evidence.
    pub skills: BTreeMap<String, f32>,
    /// Mean of the skills scored.
    pub overall: f32,
    /// Cues the customer gave.
    pub cues_shown: Vec<String>,
    /// Cues given and not picked up.
    pub cues_missed: Vec<String>,
    /// The step of each turn, and whether that turn escalated.
    pub steps: Vec<(String, bool)>,
    /// Coach actions taken.
    pub coach_actions: usize,
}

/// A journal the cohort could not read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// Profile folder.
    pub profile: String,
    /// Session folder.
    pub id: String,
    /// What was wrong.
    pub message: String,
}

/// Filters, as the page's query string gives them. Empty means "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Filter {
    /// One profile.
    #[serde(default)]
    pub profile: String,
    /// One scenario id.
    #[serde(default)]
    pub scenario: String,
    /// Sessions on or after this date (YYYY-MM-DD).
    #[serde(default)]
    pub from: String,
    /// Sessions on or before this date (YYYY-MM-DD).
    #[serde(default)]
    pub to: String,
}

impl Filter {
    fn keeps(&self, s: &Summary) -> bool {
        let date = s.started_at.get(..10).unwrap_or("");
        (self.profile.is_empty() || s.profile == self.profile)
            && (self.scenario.is_empty() || s.scenario_id == self.scenario)
            && (self.from.is_empty() || date >= self.from.as_str())
            && (self.to.is_empty() || date <= self.to.as_str())
    }
}

#[derive(Debug, Clone)]
enum Read {
    Ok(Arc<Summary>),
    Bad(Arc<Problem>),
}

struct Cached {
    len: u64,
    modified: Option<SystemTime>,
    read: Read,
}

#[derive(Default)]
struct Scan {
    at: Option<Instant>,
    sessions: Arc<Vec<Arc<Summary>>>,
    problems: Arc<Vec<Arc<Problem>>>,
}

/// The cohort of one data folder.
pub struct Cohort {
    data: PathBuf,
    scenarios: Arc<Vec<Arc<LoadedScenario>>>,
    cache: Mutex<HashMap<PathBuf, Cached>>,
    scan: Mutex<Scan>,
}

impl Cohort {
    /// The cohort under `data` (`profiles/<name>/sessions/<id>/journal.jsonl`).
    pub fn new(data: &Path, scenarios: Vec<Arc<LoadedScenario>>) -> Cohort {
        Cohort {
            data: data.to_path_buf(),
            scenarios: Arc::new(scenarios),
            cache: Mutex::default(),
            scan: Mutex::default(),
        }
    }

    /// The data folder.
    pub fn data(&self) -> &Path {
        &self.data
    }

    /// The scenarios it knows.
    pub fn scenarios(&self) -> &[Arc<LoadedScenario>] {
        &self.scenarios
    }

    /// Every session and problem, from a scan at most two seconds old.
    pub fn sessions(&self) -> (Arc<Vec<Arc<Summary>>>, Arc<Vec<Arc<Problem>>>) {
        let mut scan = self.scan.lock().unwrap_or_else(PoisonError::into_inner);
        if scan.at.is_none_or(|t| t.elapsed() > FRESH_FOR) {
            let (sessions, problems) = self.rescan();
            *scan = Scan {
                at: Some(Instant::now()),
                sessions: Arc::new(sessions),
                problems: Arc::new(problems),
            };
        }
        (Arc::clone(&scan.sessions), Arc::clone(&scan.problems))
    }

    fn rescan(&self) -> (Vec<Arc<Summary>>, Vec<Arc<Problem>>) {
        let mut sessions = Vec::new();
        let mut problems = Vec::new();
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let mut seen = std::collections::HashSet::new();
        for profile in subfolders(&self.data.join("profiles")) {
            let Some(name) = profile.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            for dir in subfolders(&profile.join("sessions")) {
                let path = dir.join(JOURNAL_FILE);
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                let id = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
                let (len, modified) = (meta.len(), meta.modified().ok());
                let fresh = cache.get(&path).is_some_and(|c| c.len == len && c.modified == modified);
                if !fresh {
                    let read = self.read(&name, &id, &path);
                    cache.insert(path.clone(), Cached { len, modified, read });
                }
                match cache.get(&path).map(|c| c.read.clone()) {
                    Some(Read::Ok(s)) => sessions.push(s),
                    Some(Read::Bad(p)) => problems.push(p),
                    None => {}
                }
                seen.insert(path);
            }
        }
        cache.retain(|p, _| seen.contains(p));
        sessions.sort_by_cached_key(|s| (instant(&s.started_at), s.profile.clone(), s.id.clone()));
        (sessions, problems)
    }

    fn read(&self, profile: &str, id: &str, path: &Path) -> Read {
        let journal = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| Journal::read(&text).map_err(|e| e.to_string()));
        match journal {
            Ok(j) => Read::Ok(Arc::new(self.summarise(profile, id, &j))),
            Err(message) => Read::Bad(Arc::new(Problem {
                profile: profile.to_owned(),
                id: id.to_owned(),
                message,
            })),
        }
    }

    fn summarise(&self, profile: &str, id: &str, journal: &Journal) -> Summary {
        let record = &journal.record;
        let scenario = self.scenarios.iter().find(|s| s.scenario.id == record.scenario_id);
        let skills = SkillScores::of(record);
        let (shown, missed) = match scenario {
            Some(s) => {
                let debrief = Debrief::build(s, record);
                let shown: Vec<String> = debrief
                    .cues
                    .iter()
                    .filter(|c| c.shown_after_turn.is_some())
                    .map(|c| c.description.clone())
                    .collect();
                let missed = debrief
                    .cues
                    .iter()
                    .filter(|c| c.shown_after_turn.is_some() && c.noticed_on_turn.is_none())
                    .map(|c| c.description.clone())
                    .collect();
                (shown, missed)
            }
            None => (Vec::new(), Vec::new()),
        };
        let alive = !journal.closed && journal.meta.pid != 0 && process_alive(journal.meta.pid);
        Summary {
            profile: profile.to_owned(),
            id: id.to_owned(),
            started_at: journal.meta.started_at.clone(),
            scenario_id: record.scenario_id.clone(),
            scenario_title: record.scenario_title.clone(),
            outcome: record.outcome.as_ref().map(|o| o.title.clone()),
            resolved: record
                .outcome
                .as_ref()
                .is_some_and(|o| o.kind == holdspace_core::scenario::model::OutcomeKind::Resolved),
            closed: journal.closed,
            live: alive,
            turns: record.turns.len(),
            peak: record
                .turns
                .iter()
                .map(|t| t.after.escalation)
                .fold(record.start.escalation, f32::max),
            skills: skills.0.iter().map(|(k, v)| (k.label().to_owned(), *v)).collect(),
            overall: skills.overall(),
            cues_shown: shown,
            cues_missed: missed,
            steps: record
                .turns
                .iter()
                .filter(|t| !t.analysis.misheard)
                .map(|t| (t.step.clone(), t.after.escalation - t.before.escalation >= ESCALATED))
                .collect(),
            coach_actions: record.coach.len(),
        }
    }

    /// The cohort page's data, for `filter`.
    pub fn view(&self, filter: &Filter) -> Value {
        let (all, problems) = self.sessions();
        let kept: Vec<&Arc<Summary>> = all.iter().filter(|s| filter.keeps(s)).collect();

        // Per trainee.
        let mut by_profile: BTreeMap<&str, Vec<&Summary>> = BTreeMap::new();
        for s in &kept {
            by_profile.entry(s.profile.as_str()).or_default().push(s);
        }
        let trainees: Vec<Value> = by_profile
            .iter()
            .map(|(profile, sessions)| {
                let scenarios: BTreeSet<&str> = sessions.iter().map(|s| s.scenario_id.as_str()).collect();
                let recent: Vec<&Summary> = sessions.iter().rev().take(3).copied().collect();
                let skills: BTreeMap<&str, Option<f32>> = Skill::ALL
                    .iter()
                    .map(|k| (k.label(), mean(recent.iter().filter_map(|s| s.skills.get(k.label()).copied()))))
                    .collect();
                json!({
                    "profile": profile,
                    "sessions": sessions.len(),
                    "scenarios": scenarios,
                    "resolved": sessions.iter().filter(|s| s.resolved).count(),
                    "last": sessions.last().map(|s| s.started_at.clone()),
                    "skills_recent": skills,
                    "trend": sessions
                        .iter()
                        .map(|s| json!({"at": s.started_at, "overall": s.overall, "skills": s.skills, "scenario": s.scenario_title}))
                        .collect::<Vec<_>>(),
                    "live": sessions.iter().any(|s| s.live),
                })
            })
            .collect();

        // Cues most often missed, per scenario.
        let mut cues: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
        for s in &kept {
            for c in &s.cues_shown {
                cues.entry((s.scenario_title.as_str(), c.as_str())).or_default().1 += 1;
            }
            for c in &s.cues_missed {
                cues.entry((s.scenario_title.as_str(), c.as_str())).or_default().0 += 1;
            }
        }
        let mut missed: Vec<Value> = cues
            .iter()
            .filter(|(_, (m, _))| *m > 0)
            .map(|((sc, cue), (m, shown))| json!({"scenario": sc, "cue": cue, "missed": m, "shown": shown}))
            .collect();
        missed.sort_by_key(|v| std::cmp::Reverse(v["missed"].as_u64().unwrap_or(0)));
        missed.truncate(12);

        // Steps where turns most often escalate.
        let mut steps: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
        for s in &kept {
            for (step, up) in &s.steps {
                let e = steps.entry((s.scenario_title.as_str(), step.as_str())).or_default();
                e.1 += 1;
                if *up {
                    e.0 += 1;
                }
            }
        }
        let mut escalations: Vec<Value> = steps
            .iter()
            .filter(|(_, (up, _))| *up > 0)
            .map(|((sc, step), (up, n))| json!({"scenario": sc, "step": step, "escalated": up, "turns": n}))
            .collect();
        escalations.sort_by_key(|v| std::cmp::Reverse(v["escalated"].as_u64().unwrap_or(0)));
        escalations.truncate(12);

        let listed: Vec<Value> = kept
            .iter()
            .rev()
            .take(100)
            .map(|s| {
                json!({
                    "profile": s.profile, "id": s.id, "started_at": s.started_at,
                    "scenario": s.scenario_title, "outcome": s.outcome, "turns": s.turns,
                    "overall": s.overall, "live": s.live, "coach_actions": s.coach_actions,
                    "report": format!("/report/{}/{}", url_part(&s.profile), url_part(&s.id)),
                })
            })
            .collect();
        let profiles: BTreeSet<&str> = all.iter().map(|s| s.profile.as_str()).collect();
        json!({
            "filter": {"profile": filter.profile, "scenario": filter.scenario, "from": filter.from, "to": filter.to},
            "totals": {"trainees": by_profile.len(), "sessions": kept.len(), "all_sessions": all.len()},
            "trainees": trainees,
            "missed_cues": missed,
            "escalations": escalations,
            "sessions": listed,
            "problems": problems.iter().map(|p| json!({"profile": p.profile, "id": p.id, "message": p.message})).collect::<Vec<_>>(),
            "skills": Skill::ALL.iter().map(|k| k.label()).collect::<Vec<_>>(),
            "profiles": profiles,
            "scenarios": self.scenarios.iter().map(|s| json!({"id": s.scenario.id, "title": s.scenario.title})).collect::<Vec<_>>(),
        })
    }

    /// One row per session matching `filter`, oldest first, as CSV.
    pub fn csv(&self, filter: &Filter) -> String {
        let (all, _) = self.sessions();
        let mut out = String::from("profile,session,started_at,scenario,outcome,turns,peak_escalation");
        for k in Skill::ALL {
            out.push(',');
            out.push_str(&csv_field(k.label()));
        }
        out.push_str(",overall,cues_missed,coach_actions\r\n");
        for s in all.iter().filter(|s| filter.keeps(s)) {
            let mut row = vec![
                csv_field(&s.profile),
                csv_field(&s.id),
                csv_field(&s.started_at),
                csv_field(&s.scenario_id),
                csv_field(s.outcome.as_deref().unwrap_or("")),
                s.turns.to_string(),
                format!("{:.2}", s.peak),
            ];
            for k in Skill::ALL {
                row.push(s.skills.get(k.label()).map(|v| format!("{v:.2}")).unwrap_or_default());
            }
            row.push(format!("{:.2}", s.overall));
            row.push(csv_field(&s.cues_missed.join("; ")));
            row.push(s.coach_actions.to_string());
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out
    }

    /// Sessions still being written by a running Holdspace (to watch live).
    pub fn live(&self) -> Vec<(String, String, PathBuf)> {
        let (all, _) = self.sessions();
        all.iter()
            .filter(|s| s.live)
            .map(|s| {
                let path = self
                    .data
                    .join("profiles")
                    .join(&s.profile)
                    .join("sessions")
                    .join(&s.id)
                    .join(JOURNAL_FILE);
                (s.id.clone(), s.profile.clone(), path)
            })
            .collect()
    }
}

fn mean(values: impl Iterator<Item = f32>) -> Option<f32> {
    let v: Vec<f32> = values.collect();
    (!v.is_empty()).then(|| (v.iter().sum::<f32>() / v.len() as f32 * 100.0).round() / 100.0)
}

fn subfolders(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// A CSV field, quoted when it must be, and never read as a formula by a spreadsheet.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A path segment for a URL (profiles may hold spaces and letters beyond ASCII).
pub fn url_part(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scripted::{CohortSize, seed_cohort};
    use crate::testing::all_scenarios;

    #[test]
    fn a_seeded_cohort_counts_right_and_filters() {
        let dir = tempfile::tempdir().unwrap();
        let scenarios = all_scenarios();
        let n = seed_cohort(
            dir.path(),
            &scenarios,
            CohortSize {
                trainees: 4,
                sessions: 6,
            },
            9,
        )
        .unwrap();
        assert_eq!(n, 24);
        let cohort = Cohort::new(dir.path(), scenarios.clone());
        let view = cohort.view(&Filter::default());
        assert_eq!(view["totals"]["trainees"], 4);
        assert_eq!(view["totals"]["sessions"], 24);
        let t0 = &view["trainees"][0];
        assert_eq!(t0["profile"], "trainee-000");
        assert_eq!(t0["sessions"], 6);
        assert_eq!(t0["trend"].as_array().unwrap().len(), 6);
        assert!(!view["escalations"].as_array().unwrap().is_empty());

        let one = cohort.view(&Filter {
            profile: "trainee-002".into(),
            ..Filter::default()
        });
        assert_eq!(one["totals"]["sessions"], 6);
        let scenario = scenarios[0].scenario.id.clone();
        let by_scenario = cohort.view(&Filter {
            scenario: scenario.clone(),
            ..Filter::default()
        });
        let expected = view["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["scenario"] == scenarios[0].scenario.title.as_str())
            .count();
        assert_eq!(by_scenario["totals"]["sessions"], expected);
        // Sessions are one a day from 2026-09-01: the first three days hold three each.
        let early = cohort.view(&Filter {
            from: "2026-09-01".into(),
            to: "2026-09-03".into(),
            ..Filter::default()
        });
        assert_eq!(early["totals"]["sessions"], 12);

        let csv = cohort.csv(&Filter::default());
        assert_eq!(csv.lines().count(), 25, "a header and a row per session");
        assert!(csv.starts_with("profile,session,started_at,scenario,outcome"));
    }

    #[test]
    fn a_corrupt_or_cut_journal_is_a_problem_not_a_failure() {
        let dir = tempfile::tempdir().unwrap();
        let scenarios = all_scenarios();
        seed_cohort(
            dir.path(),
            &scenarios,
            CohortSize {
                trainees: 1,
                sessions: 2,
            },
            1,
        )
        .unwrap();
        let sessions = dir.path().join("profiles/trainee-000/sessions");
        let first = subfolders(&sessions).remove(0);
        std::fs::write(first.join(JOURNAL_FILE), "garbage\n{}\n").unwrap();
        // A journal cut off mid-line by a crash still reads (its torn line is dropped).
        let second = subfolders(&sessions).remove(1);
        let text = std::fs::read_to_string(second.join(JOURNAL_FILE)).unwrap();
        std::fs::write(second.join(JOURNAL_FILE), &text[..text.len() - 20]).unwrap();
        let cohort = Cohort::new(dir.path(), scenarios);
        let view = cohort.view(&Filter::default());
        assert_eq!(view["totals"]["sessions"], 1);
        let problems = view["problems"].as_array().unwrap();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]["message"].as_str().unwrap().contains("line 1"),
            "{problems:?}"
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(url_part("Sam Jones"), "Sam%20Jones");
    }
}
