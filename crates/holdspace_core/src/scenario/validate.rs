//! Semantic validation: everything serde cannot see. Reports every problem, located in
//! the source, so an author fixes a file in one pass.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::locate::{Anchor, Locator};
use crate::scenario::model::{BandLines, Condition, FORMAT_VERSION, Next, OutcomeKind, Scenario, Trigger};
use crate::scenario::{routes, suggest};

/// Checks a parsed scenario against its source text (used only to locate problems).
pub fn validate(s: &Scenario, source: &str) -> Vec<Diagnostic> {
    let mut v = Validator {
        s,
        at: Locator::new(source),
        out: Vec::new(),
    };
    v.header();
    v.duplicates();
    v.customer();
    v.steps();
    v.graph();
    v.outcomes();
    v.hidden_need();
    v.cues();
    v.audio_paths();
    v.understanding();
    v.routes();
    v.out
}

struct Validator<'a> {
    s: &'a Scenario,
    at: Locator<'a>,
    out: Vec<Diagnostic>,
}

impl<'a> Validator<'a> {
    fn error(&mut self, message: String, span: Range<usize>, label: &str, help: Option<&str>) {
        let mut d = Diagnostic::error(message, span, label);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.out.push(d);
    }

    fn warn(&mut self, message: String, span: Range<usize>, label: &str, help: Option<&str>) {
        let mut d = Diagnostic::warning(message, span, label);
        if let Some(h) = help {
            d = d.with_help(h);
        }
        self.out.push(d);
    }

    fn field(&self, key: &str) -> Range<usize> {
        self.at.find(&[Anchor::Key(key)])
    }

    fn step_span(&self, step: &str) -> Range<usize> {
        self.at.find(&[Anchor::Key("steps"), Anchor::KeyValue("id", step)])
    }

    fn step_field(&self, step: &str, key: &str) -> Range<usize> {
        self.at
            .find(&[Anchor::Key("steps"), Anchor::KeyValue("id", step), Anchor::Key(key)])
    }

    fn reply_field(&self, step: &str, reply: &str, key: &str) -> Range<usize> {
        self.at.find(&[
            Anchor::Key("steps"),
            Anchor::KeyValue("id", step),
            Anchor::KeyValue("id", reply),
            Anchor::Key(key),
        ])
    }

    fn outcome_span(&self, id: &str) -> Range<usize> {
        self.at.find(&[Anchor::Key("outcomes"), Anchor::KeyValue("id", id)])
    }

    fn need_field(&self, key: &str) -> Range<usize> {
        self.at.find(&[Anchor::Key("hidden_need"), Anchor::Key(key)])
    }

    fn header(&mut self) {
        if self.s.version != FORMAT_VERSION {
            self.error(
                format!(
                    "scenario format version {} is not supported (this build reads version {FORMAT_VERSION})",
                    self.s.version
                ),
                self.field("version"),
                "unsupported version",
                Some("write `version: 1`"),
            );
        }
        if self.s.id.is_empty()
            || !self
                .s
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            self.error(
                format!(
                    "scenario id \"{}\" must be lower-case letters, digits, '_' or '-'",
                    self.s.id
                ),
                self.field("id"),
                "used on the command line and in records",
                Some("for example `id: \"delivery_bereavement\"`"),
            );
        }
        for (key, value) in [
            ("title", &self.s.title),
            ("summary", &self.s.summary),
            ("presenting_issue", &self.s.presenting_issue),
        ] {
            if value.trim().is_empty() {
                self.error(
                    format!("`{key}` is empty"),
                    self.field(key),
                    "write something here",
                    None,
                );
            }
        }
        if self.s.max_turns == 0 {
            self.error(
                "`max_turns` must be at least 1".to_owned(),
                self.field("max_turns"),
                "no turns",
                None,
            );
        }
        if self.s.reflection.is_empty() {
            self.warn(
                "no reflection prompts: the debrief will only ask generated questions".to_owned(),
                self.field("title"),
                "scenario",
                Some("add `reflection: [\"…\"]` with two or three questions"),
            );
        }
        for (intent, effect) in &self.s.intent_effects {
            if !effect_ok(*effect) {
                self.error(
                    format!("effect for {intent:?} is outside -1..1"),
                    self.field("intent_effects"),
                    "out of range",
                    None,
                );
            }
        }
        for entry in &self.s.lexicon.entries {
            if entry
                .phrases
                .iter()
                .all(|p| p.trim().trim_start_matches('^').trim().is_empty())
            {
                let span = self.at.find(&[Anchor::Key("lexicon"), Anchor::Key("phrases")]);
                self.warn(
                    format!("lexicon entry for {:?} has no phrases", entry.intent),
                    span,
                    "empty",
                    None,
                );
            }
        }
    }

    fn duplicates(&mut self) {
        let report = |v: &mut Self, kind: &str, section: &str, ids: Vec<&str>| {
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            for id in ids {
                let n = seen.entry(id).or_insert(0);
                if *n > 0 {
                    let from = v.field(section).start;
                    let span =
                        v.at.nth_key_value(from, "id", id, *n)
                            .unwrap_or_else(|| v.field(section));
                    v.error(
                        format!("duplicate {kind} id \"{id}\""),
                        span,
                        "already used above",
                        Some("ids must be unique"),
                    );
                }
                *n += 1;
            }
        };
        let steps = self.s.steps.iter().map(|s| s.id.as_str()).collect();
        report(self, "step", "steps", steps);
        let replies = self
            .s
            .steps
            .iter()
            .flat_map(|s| s.replies.iter().map(|r| r.id.as_str()))
            .collect();
        report(self, "reply", "steps", replies);
        let cues = self.s.cues.iter().map(|c| c.id.as_str()).collect();
        report(self, "cue", "cues", cues);
        let outcomes = self.s.outcomes.iter().map(|o| o.id.as_str()).collect();
        report(self, "outcome", "outcomes", outcomes);
    }

    /// The customer's listening style: a share, a patience a person could have, and no
    /// empty word (it would be a silent backchannel).
    fn listening(&mut self) {
        let l = &self.s.customer.listening;
        let at = |key: &'static str| [Anchor::Key("customer"), Anchor::Key("listening"), Anchor::Key(key)];
        if !(0.0..=1.0).contains(&l.vocal) {
            self.error(
                format!(
                    "`vocal` is {}; it must be between 0 (nods only) and 1 (always a word)",
                    l.vocal
                ),
                self.at.find(&at("vocal")),
                "out of range",
                Some("0.5 is typical"),
            );
        }
        if !(3.0..=60.0).contains(&l.patience_s) {
            self.error(
                format!(
                    "`patience_s` is {}; a hostile customer cuts in after 3 to 60 seconds of talk",
                    l.patience_s
                ),
                self.at.find(&at("patience_s")),
                "out of range",
                Some("12.0 is typical; set `cuts_in: false` for a customer who never cuts in"),
            );
        }
        let blank = l
            .backchannels
            .iter()
            .chain(&l.cut_in_lines)
            .any(|w| !w.chars().any(char::is_alphanumeric));
        if blank {
            self.error(
                "a backchannel or cut-in line has no words".to_owned(),
                self.at.find(&[Anchor::Key("customer"), Anchor::Key("listening")]),
                "empty line",
                Some("write what they say, e.g. \"Uh-huh.\""),
            );
        }
    }

    fn customer(&mut self) {
        let look = &self.s.customer.look;
        if !crate::expression::body::LOOKS.contains(&look.as_str()) {
            self.error(
                format!("unknown look \"{look}\""),
                self.at.find(&[Anchor::Key("customer"), Anchor::Key("look")]),
                "no such avatar",
                Some(&format!("use one of: {}", crate::expression::body::LOOKS.join(", "))),
            );
        }
        let k = self.s.customer.body.expressiveness;
        if !(0.3..=1.6).contains(&k) {
            self.error(
                format!("`expressiveness` is {k}; it must be between 0.3 (reserved) and 1.6 (animated)"),
                self.at.find(&[Anchor::Key("customer"), Anchor::Key("expressiveness")]),
                "out of range",
                Some("1.0 is typical"),
            );
        }
        self.listening();
        let v = &self.s.customer.voice;
        if !crate::scenario::model::VOICES.contains(&v.voice.as_str()) && !v.is_neural() {
            let near = crate::scenario::suggest::nearest(
                &v.voice,
                crate::scenario::model::NEURAL_VOICES
                    .iter()
                    .chain(&crate::scenario::model::VOICES)
                    .copied(),
            );
            self.error(
                format!("unknown voice \"{}\"", v.voice),
                self.at
                    .find(&[Anchor::Key("customer"), Anchor::Key("voice"), Anchor::Key("voice")]),
                "no such voice",
                Some(&match near {
                    Some(n) => format!("did you mean \"{n}\"? Neural voices: af_heart, af_bella, af_nicole, am_michael, am_fenrir (American), bf_emma, bf_isabella, bf_alice, bf_lily, bm_george, bm_fable, bm_lewis, bm_daniel (British), and the rest listed in docs/authoring.md; flite: slt, rms, awb, kal"),
                    None => "neural voices: af_heart, af_bella, af_nicole, am_michael, am_fenrir (American), bf_emma, bf_isabella, bf_alice, bf_lily, bm_george, bm_fable, bm_lewis, bm_daniel (British), and the rest listed in docs/authoring.md; flite: slt (US female), rms (US male), awb (Scottish male), kal (US male, robotic)".to_owned(),
                }),
            );
        }
        if let Some(f) = &v.fallback {
            if !v.is_neural() {
                self.warn(
                    format!(
                        "`fallback` is only used with a neural voice; \"{}\" is flite's own",
                        v.voice
                    ),
                    self.at
                        .find(&[Anchor::Key("customer"), Anchor::Key("voice"), Anchor::Key("fallback")]),
                    "not used",
                    Some("remove it, or name a neural voice such as \"bf_emma\""),
                );
            } else if !crate::scenario::model::VOICES.contains(&f.as_str()) {
                self.error(
                    format!("unknown fallback voice \"{f}\""),
                    self.at
                        .find(&[Anchor::Key("customer"), Anchor::Key("voice"), Anchor::Key("fallback")]),
                    "not a flite voice",
                    Some("the fallback is a flite voice: slt (US female), rms (US male), awb (Scottish male), kal (US male)"),
                );
            }
        }
        if v.flite_voice() == "rms" {
            self.warn(
                "voice \"rms\" keeps its own pitch: the band changes only its pace and loudness".to_owned(),
                self.at
                    .find(&[Anchor::Key("customer"), Anchor::Key("voice"), Anchor::Key("voice")]),
                "fixed pitch",
                Some("for a male voice whose pitch rises with anger use \"awb\" or \"kal\""),
            );
        }
        if !(60.0..=400.0).contains(&v.base_pitch_hz) {
            self.error(
                format!(
                    "`base_pitch_hz` is {}; a speaking voice sits between 60 and 400 Hz",
                    v.base_pitch_hz
                ),
                self.at.find(&[Anchor::Key("customer"), Anchor::Key("base_pitch_hz")]),
                "out of range",
                Some("typical: 100–130 for a low voice, 170–220 for a high one"),
            );
        }
        if !(0.5..=2.0).contains(&v.pace) {
            self.error(
                format!("`pace` is {}; it must be between 0.5 and 2", v.pace),
                self.at.find(&[Anchor::Key("customer"), Anchor::Key("pace")]),
                "out of range",
                None,
            );
        }
        let t = &self.s.customer.temperament;
        for (key, value) in [
            ("start_escalation", t.start_escalation),
            ("start_trust", t.start_trust),
            ("min_escalation", t.min_escalation),
            ("max_escalation", t.max_escalation),
        ] {
            if !(0.0..=1.0).contains(&value) {
                self.error(
                    format!("`{key}` is {value}; it must be between 0 and 1"),
                    self.at.find(&[Anchor::Key("temperament"), Anchor::Key(key)]),
                    "out of range",
                    None,
                );
            }
        }
        if t.min_escalation > t.max_escalation {
            self.error(
                "`min_escalation` is above `max_escalation`".to_owned(),
                self.at.find(&[Anchor::Key("temperament")]),
                "empty range",
                None,
            );
        }
        for (key, value) in [
            ("volatility", t.volatility),
            ("receptiveness", t.receptiveness),
            ("variation", t.variation),
        ] {
            if !value.is_finite() || value < 0.0 {
                self.error(
                    format!("`{key}` must be zero or more"),
                    self.at.find(&[Anchor::Key("temperament"), Anchor::Key(key)]),
                    "negative",
                    None,
                );
            }
        }
    }

    fn lines(&mut self, lines: &BandLines, owner: &str, span: impl Fn(&Self, &str) -> Range<usize>) {
        if lines.values().all(Vec::is_empty) {
            self.error(
                format!("{owner} has no lines for the customer"),
                span(self, "say"),
                "nothing to say",
                Some("add e.g. `Any: [Line(text: \"…\")]`"),
            );
            return;
        }
        for (key, list) in lines {
            let name = format!("{key:?}");
            if list.is_empty() {
                self.error(
                    format!("{owner}: band {name} is empty"),
                    span(self, &name),
                    "empty band",
                    Some("add a line or remove the band (it then borrows from the nearest band)"),
                );
            }
            for line in list {
                if line.text.trim().is_empty() {
                    self.error(
                        format!("{owner}: a line in band {name} has no text"),
                        span(self, &name),
                        "empty line",
                        None,
                    );
                }
                if let Some(cue) = &line.cue
                    && !self.s.cues.iter().any(|c| &c.id == cue)
                {
                    let at = self.at.find(&[Anchor::Key("steps"), Anchor::KeyValue("cue", cue)]);
                    let at = if at.is_empty() { span(self, &name) } else { at };
                    let help = suggest::did_you_mean(cue, self.s.cues.iter().map(|c| c.id.as_str()))
                        .unwrap_or_else(|| "declare it under `cues:`".to_owned());
                    self.error(format!("unknown cue \"{cue}\""), at, "no cue has this id", Some(&help));
                }
            }
        }
    }

    fn steps(&mut self) {
        for step in &self.s.steps {
            let sid = step.id.as_str();
            self.lines(&step.say, &format!("step \"{sid}\""), |v, key| v.step_field(sid, key));
            // The rule is about choice: the replies on offer together, not those declared.
            let n = step.replies.len();
            let together = routes::offered_together(self.s, step);
            if n < 2 || together.most.0 > 5 {
                let (count, when) = if n < 2 {
                    (n, String::new())
                } else {
                    together.most.clone()
                };
                let when = if when.is_empty() {
                    String::new()
                } else {
                    format!(" when {when}")
                };
                self.error(
                    format!("step \"{sid}\" offers {count} replies{when}; a step needs 2 to 5 on offer"),
                    self.step_field(sid, "replies"),
                    "replies",
                    Some("trainees learn by choosing: give at least two contrasting replies, and gate the rest with `requires`"),
                );
            } else if together.fewest.0 < 2 {
                let (count, when) = &together.fewest;
                self.warn(
                    format!("step \"{sid}\" offers only {count} of its replies when {when}"),
                    self.step_field(sid, "replies"),
                    "too few on offer together",
                    Some("loosen a reply's `requires`, or add one for that situation"),
                );
            }
            for reply in &step.replies {
                let rid = reply.id.as_str();
                if reply.intents.is_empty() {
                    self.error(
                        format!("reply \"{rid}\" has no intents"),
                        self.reply_field(sid, rid, "intents"),
                        "empty",
                        Some("say what the reply does, e.g. `intents: [OpenQuestion]`"),
                    );
                }
                if reply.text.trim().is_empty() {
                    self.error(
                        format!("reply \"{rid}\" has no text"),
                        self.reply_field(sid, rid, "text"),
                        "empty",
                        None,
                    );
                }
                match &reply.next {
                    Next::Goto(target) if !self.s.steps.iter().any(|s| &s.id == target) => {
                        self.error(
                            format!("reply \"{rid}\" goes to unknown step \"{target}\""),
                            self.reply_field(sid, rid, "next"),
                            "no step has this id",
                            Some(&self.suggest_step_for(target)),
                        );
                    }
                    Next::End(target) if !self.s.outcomes.iter().any(|o| &o.id == target) => {
                        self.error(
                            format!("reply \"{rid}\" ends with unknown outcome \"{target}\""),
                            self.reply_field(sid, rid, "next"),
                            "no outcome has this id",
                            None,
                        );
                    }
                    _ => {}
                }
                if !reply.answer.is_empty() {
                    self.lines(&reply.answer, &format!("reply \"{rid}\"'s answer"), |v, _| {
                        v.reply_field(sid, rid, "answer")
                    });
                }
                if !effect_ok(reply.effect) {
                    self.error(
                        format!("reply \"{rid}\" has an effect outside -1..1"),
                        self.reply_field(sid, rid, "effect"),
                        "out of range",
                        None,
                    );
                }
                for c in &reply.requires {
                    self.condition(c, self.reply_field(sid, rid, "requires"));
                }
            }
        }
        for (key, list) in &self.s.unclear {
            if list.is_empty() {
                let span = self
                    .at
                    .find(&[Anchor::Key("unclear"), Anchor::Key(&format!("{key:?}"))]);
                self.error(format!("`unclear`: band {key:?} is empty"), span, "empty band", None);
            }
        }
    }

    fn suggest_step(&self) -> String {
        let ids: Vec<&str> = self.s.steps.iter().map(|s| s.id.as_str()).collect();
        format!("known steps: {}", ids.join(", "))
    }

    /// "did you mean `details`?" when `wrong` is a slip for a step id, else the list.
    fn suggest_step_for(&self, wrong: &str) -> String {
        suggest::did_you_mean(wrong, self.s.steps.iter().map(|s| s.id.as_str())).unwrap_or_else(|| self.suggest_step())
    }

    /// Every reply id in the scenario.
    fn reply_ids(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let s: &'a Scenario = self.s;
        s.steps.iter().flat_map(|st| st.replies.iter()).map(|r| r.id.as_str())
    }

    fn condition(&mut self, c: &Condition, span: Range<usize>) {
        match c {
            Condition::EscalationAtLeast(x)
            | Condition::EscalationBelow(x)
            | Condition::TrustAtLeast(x)
            | Condition::TrustBelow(x)
                if !(0.0..=1.0).contains(x) =>
            {
                self.error(
                    format!("condition {c:?} compares with {x}, outside 0..1"),
                    span,
                    "out of range",
                    None,
                );
            }
            Condition::Visited(id) if !self.s.steps.iter().any(|s| &s.id == id) => {
                self.error(
                    format!("condition Visited(\"{id}\") names an unknown step"),
                    span,
                    "unknown step",
                    None,
                );
            }
            _ => {}
        }
    }

    /// Steps reachable from the start by following `Goto` (ignoring `requires`).
    fn reachable(&self) -> BTreeSet<&'a str> {
        let s: &'a Scenario = self.s;
        let mut seen = BTreeSet::new();
        let mut stack = vec![s.start.as_str()];
        // The step after a reveal is entered from wherever the need comes out.
        stack.extend(s.hidden_need.after_reveal.as_deref());
        while let Some(id) = stack.pop() {
            let Some(step) = s.steps.iter().find(|s| s.id == id) else {
                continue;
            };
            if !seen.insert(step.id.as_str()) {
                continue;
            }
            for r in &step.replies {
                if let Next::Goto(t) = &r.next {
                    stack.push(t);
                }
            }
        }
        seen
    }

    fn graph(&mut self) {
        let s: &'a Scenario = self.s;
        if !self.s.steps.iter().any(|s| s.id == self.s.start) {
            self.error(
                format!("start step \"{}\" does not exist", self.s.start),
                self.field("start"),
                "no step has this id",
                Some(&self.suggest_step()),
            );
            return;
        }
        let reachable = self.reachable();
        for step in &s.steps {
            if !reachable.contains(step.id.as_str()) {
                self.error(
                    format!(
                        "step \"{}\" is unreachable from the start step \"{}\"",
                        step.id, self.s.start
                    ),
                    self.step_span(&step.id),
                    "no reply leads here",
                    Some("point a reply's `next: Goto(…)` at it, or remove it"),
                );
            }
        }
        // A step has a way out when some chain of replies from it reaches Finish or End.
        let mut exits: BTreeSet<&str> = s
            .steps
            .iter()
            .filter(|s| s.replies.iter().any(|r| !matches!(r.next, Next::Goto(_))))
            .map(|s| s.id.as_str())
            .collect();
        loop {
            let before = exits.len();
            for step in &s.steps {
                if step
                    .replies
                    .iter()
                    .any(|r| matches!(&r.next, Next::Goto(t) if exits.contains(t.as_str())))
                {
                    exits.insert(step.id.as_str());
                }
            }
            if exits.len() == before {
                break;
            }
        }
        for step in &s.steps {
            if reachable.contains(step.id.as_str()) && !exits.contains(step.id.as_str()) {
                self.error(
                    format!(
                        "step \"{}\" has no way out: no chain of replies from it reaches `Finish` or `End`",
                        step.id
                    ),
                    self.step_span(&step.id),
                    "conversation gets stuck here",
                    Some("give one of its replies (or a later step's) `next: Finish`"),
                );
            }
        }
    }

    fn outcomes(&mut self) {
        let reachable = self.reachable();
        let s: &'a Scenario = self.s;
        let live_replies = || {
            s.steps
                .iter()
                .filter(|s| reachable.contains(s.id.as_str()))
                .flat_map(|s| s.replies.iter())
        };
        let has_finish = live_replies().any(|r| r.next == Next::Finish);
        let named: BTreeSet<&str> = live_replies()
            .filter_map(|r| {
                if let Next::End(id) = &r.next {
                    Some(id.as_str())
                } else {
                    None
                }
            })
            .collect();
        let t = &self.s.customer.temperament;
        for o in &self.s.outcomes {
            let span = self.outcome_span(&o.id);
            if o.kind == OutcomeKind::Stopped {
                self.error(
                    format!(
                        "outcome \"{}\" has kind Stopped, which is kept for sessions a coach ends",
                        o.id
                    ),
                    span.clone(),
                    "not an authored kind",
                    Some("use Resolved, SurfaceOnly, Supervisor, HungUp or TimedOut"),
                );
            }
            for c in &o.when {
                self.condition(c, span.clone());
            }
            let impossible = o.when.iter().find(|c| match c {
                Condition::EscalationAtLeast(x) => *x > t.max_escalation,
                Condition::EscalationBelow(x) => *x <= t.min_escalation,
                Condition::NeedAddressed => self.s.hidden_need.addressed_by.is_empty(),
                Condition::TurnsAtLeast(n) => *n > self.s.max_turns,
                _ => false,
            });
            if let Some(c) = impossible {
                self.error(
                    format!("outcome \"{}\" is never reachable: {c:?} can never hold", o.id),
                    span.clone(),
                    "impossible condition",
                    Some("check the customer's temperament range, `max_turns` and `hidden_need.addressed_by`"),
                );
                continue;
            }
            let via_named = named.contains(o.id.as_str());
            let unreachable = match o.trigger {
                Trigger::OnFinish => !has_finish && !via_named,
                Trigger::Named => !via_named,
                Trigger::Anytime | Trigger::OnTimeout => false,
            };
            if unreachable {
                let why = if o.trigger == Trigger::Named {
                    "no reachable reply has `next: End(\"…\")` naming it"
                } else {
                    "no reachable reply has `next: Finish`"
                };
                self.error(
                    format!("outcome \"{}\" is never reachable: {why}", o.id),
                    span,
                    "never reached",
                    None,
                );
            }
        }
        if !self.s.outcomes.iter().any(|o| o.trigger == Trigger::OnTimeout) {
            self.error(
                "no outcome for running out of turns".to_owned(),
                self.field("outcomes"),
                "outcomes",
                Some("add an outcome with `trigger: OnTimeout`"),
            );
        }
        if has_finish && !self.s.outcomes.iter().any(|o| o.trigger == Trigger::OnFinish) {
            self.error(
                "replies end with `Finish` but no outcome has `trigger: OnFinish`".to_owned(),
                self.field("outcomes"),
                "outcomes",
                None,
            );
        }
        if let Some(last) = self.s.outcomes.iter().rfind(|o| o.trigger == Trigger::OnFinish)
            && !last.when.is_empty()
        {
            self.warn(
                format!(
                    "the last OnFinish outcome \"{}\" has conditions; when none holds it is used anyway",
                    last.id
                ),
                self.outcome_span(&last.id),
                "fallback",
                Some("make the last OnFinish outcome a catch-all with no `when`"),
            );
        }
    }

    fn hidden_need(&mut self) {
        let s: &'a Scenario = self.s;
        let need = &s.hidden_need;
        let rule = &need.reveal;
        let reachable = self.reachable();
        let live: Vec<&crate::scenario::model::Reply> = s
            .steps
            .iter()
            .filter(|s| reachable.contains(s.id.as_str()))
            .flat_map(|s| s.replies.iter())
            .collect();
        for id in &rule.options {
            if !self.s.steps.iter().any(|s| s.replies.iter().any(|r| &r.id == id)) {
                self.error(
                    format!("hidden need reveal names unknown reply \"{id}\""),
                    self.need_field("options"),
                    "no reply has this id",
                    None,
                );
            }
        }
        for id in &need.addressed_by {
            if !self.s.steps.iter().any(|s| s.replies.iter().any(|r| &r.id == id)) {
                self.error(
                    format!("hidden need `addressed_by` names unknown reply \"{id}\""),
                    self.need_field("addressed_by"),
                    "no reply has this id",
                    None,
                );
            }
        }
        if let Some(step) = &need.after_reveal
            && !s.steps.iter().any(|x| &x.id == step)
        {
            self.error(
                format!("hidden need `after_reveal` names unknown step \"{step}\""),
                self.need_field("after_reveal"),
                "no step has this id",
                Some(&self.suggest_step()),
            );
        }
        if need.revealed_line.text.trim().is_empty() {
            self.error(
                "the hidden need's `revealed_line` has no text".to_owned(),
                self.need_field("revealed_line"),
                "empty",
                None,
            );
        }
        let gives_cue = s
            .steps
            .iter()
            .filter(|s| reachable.contains(s.id.as_str()))
            .flat_map(|s| s.say.values().flatten())
            .any(|l| l.cue.is_some());
        let by_option = live.iter().any(|r| rule.options.contains(&r.id));
        let by_intent = live.iter().any(|r| r.intents.iter().any(|i| rule.intents.contains(i)));
        let by_cue = rule.on_cue_response
            && gives_cue
            && live.iter().any(|r| {
                self.s.cues.iter().any(|c| c.responded_by.contains(&r.id)) || r.intents.iter().any(|i| i.is_listening())
            });
        if !(by_option || by_intent || by_cue) {
            self.error(
                format!(
                    "hidden need \"{}\" has no reveal path: no reachable reply can open the customer up",
                    need.id
                ),
                self.need_field("reveal"),
                "no way to reveal",
                Some("list reveal `intents` that some reply has, or reveal `options`, or cues with `responded_by`"),
            );
        }
        if rule.after_cue && !gives_cue {
            self.error(
                format!(
                    "hidden need \"{}\" can only come out after a cue, but no reachable line gives one",
                    need.id
                ),
                self.need_field("reveal"),
                "needs a cue",
                Some("tag a customer line with `cue: \"…\"`, or set `after_cue: false`"),
            );
        }
        if !(0.0..=1.0).contains(&rule.min_trust) || !(0.0..=1.0).contains(&rule.max_escalation) {
            self.error(
                "reveal thresholds must be between 0 and 1".to_owned(),
                self.need_field("reveal"),
                "out of range",
                None,
            );
        } else if rule.max_escalation < self.s.customer.temperament.min_escalation {
            self.error("the customer can never be calm enough to reveal the need (`max_escalation` is below the temperament's `min_escalation`)".to_owned(), self.need_field("max_escalation"), "unreachable threshold", None);
        }
    }

    /// Recorded-audio paths on every line.
    fn audio_paths(&mut self) {
        let s = self.s;
        for line in s.lines() {
            if let Some(audio) = &line.line.audio
                && let Some(problem) = audio_path_problem(audio)
            {
                self.error(
                    format!("recorded audio \"{audio}\" {problem}"),
                    self.at.find(&[Anchor::KeyValue("audio", audio)]),
                    "bad path",
                    Some("give a .wav file inside the scenario's folder, e.g. `audio: \"audio/opening.wav\"`"),
                );
            }
        }
    }

    fn cues(&mut self) {
        let all_lines: Vec<&crate::scenario::model::Line> = self
            .s
            .steps
            .iter()
            .flat_map(|s| s.say.values().flatten())
            .chain(self.s.unclear.values().flatten())
            .collect();
        for cue in &self.s.cues {
            let span = self.at.find(&[Anchor::Key("cues"), Anchor::KeyValue("id", &cue.id)]);
            for id in &cue.responded_by {
                if !self.s.steps.iter().any(|s| s.replies.iter().any(|r| &r.id == id)) {
                    self.error(
                        format!("cue \"{}\" names unknown reply \"{id}\" in `responded_by`", cue.id),
                        span.clone(),
                        "unknown reply",
                        None,
                    );
                }
            }
            if !all_lines.iter().any(|l| l.cue.as_ref() == Some(&cue.id)) {
                self.warn(
                    format!("cue \"{}\" is never given: no line has `cue: \"{}\"`", cue.id, cue.id),
                    span.clone(),
                    "unused",
                    None,
                );
            }
            if cue.keywords.is_empty() && cue.responded_by.is_empty() {
                self.warn(
                    format!(
                        "cue \"{}\" can never be picked up (no `keywords`, no `responded_by`)",
                        cue.id
                    ),
                    span,
                    "unnoticeable",
                    None,
                );
            }
        }
    }
}

impl Validator<'_> {
    /// What makes open mode misunderstand: function-word cue keywords, replies whose
    /// examples say the same thing as another reply's, and `requires` that contradict
    /// each other (the reply can never be offered).
    fn understanding(&mut self) {
        use crate::analysis::text::{content_stems, is_stopword, words};
        for cue in &self.s.cues {
            for k in &cue.keywords {
                let w = words(k);
                let number = |w: &str| w.chars().all(|c| c.is_ascii_digit());
                if !w.is_empty()
                    && w.iter()
                        .all(|w| !number(w) && (is_stopword(w) || w.chars().count() < 3))
                {
                    let span = self.at.find(&[Anchor::Key("cues"), Anchor::KeyValue("id", &cue.id)]);
                    self.warn(
                        format!(
                            "cue \"{}\": keyword \"{k}\" is a function word and never counts",
                            cue.id
                        ),
                        span,
                        "function word",
                        Some("use a content word the customer said, such as a day, an object or a name"),
                    );
                }
            }
        }
        for step in &self.s.steps {
            for reply in &step.replies {
                if let Some(why) = contradiction(&reply.requires) {
                    self.warn(
                        format!("reply \"{}\" can never be offered: its `requires` {why}", reply.id),
                        self.reply_field(&step.id, &reply.id, "requires"),
                        "contradictory",
                        None,
                    );
                }
            }
            for (i, a) in step.replies.iter().enumerate() {
                // Replies that make different moves are told apart by the moves.
                for b in step
                    .replies
                    .iter()
                    .skip(i + 1)
                    .filter(|b| b.intents.iter().any(|x| a.intents.contains(x)))
                {
                    let texts = |r: &'_ crate::scenario::model::Reply| -> Vec<Vec<String>> {
                        std::iter::once(&r.text)
                            .chain(r.examples.iter())
                            .map(|t| content_stems(t))
                            .collect()
                    };
                    let close = texts(a).iter().any(|x| {
                        texts(b)
                            .iter()
                            .any(|y| crate::analysis::matching::closeness(x, y) >= 0.75 && x.len() >= 2)
                    });
                    if close {
                        self.warn(
                            format!(
                                "replies \"{}\" and \"{}\" have examples too close to tell apart",
                                a.id, b.id
                            ),
                            self.reply_field(&step.id, &b.id, "examples"),
                            "too close",
                            Some("give each reply examples in words of its own"),
                        );
                    }
                }
            }
        }
    }
}

impl Validator<'_> {
    /// Lines that follow the route: a reply named in `after` must exist; a step's lines
    /// must not answer a question after a reply that asked none; lines that can never be
    /// said and outcomes that can never fire are reported.
    fn routes(&mut self) {
        let s = self.s;
        for step in &s.steps {
            let answers = step.replies.iter().flat_map(|r| r.answer.values().flatten());
            for line in step.say.values().flatten().chain(answers) {
                for id in &line.after {
                    if !self.reply_ids().any(|r| r == id) {
                        let help = suggest::did_you_mean(id, self.reply_ids())
                            .unwrap_or_else(|| "name a reply that leads to this step".to_owned());
                        self.error(
                            format!("step \"{}\": a line follows unknown reply \"{id}\"", step.id),
                            self.step_quoted(&step.id, id),
                            "no reply has this id",
                            Some(&help),
                        );
                    }
                }
            }
        }
        for m in routes::mismatches(s) {
            let list = |rs: &[&crate::scenario::model::Reply]| {
                rs.iter()
                    .map(|r| format!("\"{}\"", r.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let questions = match m.questions.len() {
                1 => format!("the question {}", list(&m.questions)),
                _ => format!("the questions {}", list(&m.questions)),
            };
            let others = match m.others.len() {
                1 => format!("the reply {}, which asks nothing", list(&m.others)),
                _ => format!("the replies {}, which ask nothing", list(&m.others)),
            };
            self.warn(
                format!(
                    "step \"{}\": the same lines follow {questions} and {others}; a line that answers one does not fit the other",
                    m.step.id
                ),
                self.step_field(&m.step.id, "say"),
                "can follow a reply it does not fit",
                Some(&format!(
                    "add a line for the other route, e.g. `Line(text: \"…\", after: [\"{}\"])`, or `after_intents: [{}]`",
                    m.others[0].id,
                    m.others[0].intents.first().map_or("Paraphrase", |i| i.name()),
                )),
            );
        }
        for u in routes::unused_lines(s) {
            let key = format!("{:?}", u.key);
            let at = match &u.reply {
                Some(reply) => self.step_quoted(&u.step, reply),
                None => self.step_field(&u.step, &key),
            };
            let what = if u.reply.is_some() {
                format!("a line under {key} is")
            } else {
                format!("lines under {key} are")
            };
            self.warn(
                format!("step \"{}\": {what} never said: {}", u.step, u.why),
                at,
                "never said",
                None,
            );
        }
        // An OnFinish outcome after a catch-all one is never picked; an outcome whose
        // conditions contradict each other never holds.
        let mut catch_all: Option<&str> = None;
        for o in &s.outcomes {
            let span = self.outcome_span(&o.id);
            if let Some(why) = contradiction(&o.when) {
                self.warn(
                    format!("outcome \"{}\" can never fire: its `when` {why}", o.id),
                    span.clone(),
                    "contradictory",
                    None,
                );
            }
            if o.trigger == Trigger::OnFinish {
                if let Some(first) = catch_all {
                    self.warn(
                        format!(
                            "outcome \"{}\" can never fire: \"{first}\" comes before it with no `when` and is always taken",
                            o.id
                        ),
                        span,
                        "shadowed",
                        Some("outcomes are tried in file order: move the catch-all last"),
                    );
                } else if o.when.is_empty() {
                    catch_all = Some(&o.id);
                }
            }
        }
    }

    /// Where `value` is quoted inside a step (an id in a line's `after`).
    fn step_quoted(&self, step: &str, value: &str) -> Range<usize> {
        self.at.find(&[
            Anchor::Key("steps"),
            Anchor::KeyValue("id", step),
            Anchor::Key("say"),
            Anchor::Quoted(value),
        ])
    }
}

/// Why a list of conditions can never all hold, if it cannot.
/// Words of a reply (its text, phrasings or examples) that the scenario's own lexicon
/// hears as a harm the reply does not carry: a trainee who says them is matched to the
/// reply yet heard as harming the customer ("you've rung four times this week" in a
/// paraphrase, when the scenario lists it as blame). Run on a scenario that loaded, since
/// it needs the lexicon the scenario builds.
pub fn lexicon_conflicts(loaded: &crate::scenario::load::LoadedScenario, source: &str) -> Vec<Diagnostic> {
    let at = Locator::new(source);
    let mut out = Vec::new();
    for step in &loaded.scenario.steps {
        for reply in &step.replies {
            let said = std::iter::once(("text", &reply.text))
                .chain(reply.phrasings.iter().map(|t| ("phrasings", t)))
                .chain(reply.examples.iter().map(|t| ("examples", t)));
            for (key, text) in said {
                let a = crate::analysis::analyse(text, &loaded.lexicon, "", &[]);
                // Only the scenario's phrases: they are what the author can change here.
                let from_phrase = |i: &crate::Intent| a.layers.contains(&(*i, crate::analysis::Layer::Lexicon));
                let harm = a
                    .evidence
                    .iter()
                    .find(|(i, _)| i.is_harmful() && !reply.intents.contains(i) && from_phrase(i));
                if let Some((intent, why)) = harm {
                    let span = at.find(&[
                        Anchor::Key("steps"),
                        Anchor::KeyValue("id", &step.id),
                        Anchor::KeyValue("id", &reply.id),
                        Anchor::Key(key),
                    ]);
                    out.push(
                        Diagnostic::warning(
                            format!(
                                "reply \"{}\": \"{text}\" is heard as `{}` ({why}), which the reply does not carry",
                                reply.id,
                                intent.name()
                            ),
                            span,
                            "heard as a harm",
                        )
                        .with_help(
                            "reword it, or make the lexicon phrase longer so that it only matches the harmful use",
                        ),
                    );
                }
            }
        }
    }
    out
}

fn contradiction(requires: &[Condition]) -> Option<String> {
    let has = |c: &Condition| requires.contains(c);
    if has(&Condition::NeedRevealed) && has(&Condition::NeedNotRevealed) {
        return Some("asks for the need both revealed and not".to_owned());
    }
    if has(&Condition::NeedAddressed) && has(&Condition::NeedNotAddressed) {
        return Some("asks for the need both addressed and not".to_owned());
    }
    if has(&Condition::NeedAddressed) && has(&Condition::NeedNotRevealed) {
        return Some("asks for the need addressed but not revealed".to_owned());
    }
    let bound = |lo: fn(&Condition) -> Option<f32>, hi: fn(&Condition) -> Option<f32>| {
        let at_least = requires.iter().filter_map(lo).fold(f32::MIN, f32::max);
        let below = requires.iter().filter_map(hi).fold(f32::MAX, f32::min);
        at_least >= below
    };
    if bound(
        |c| {
            if let Condition::EscalationAtLeast(v) = c {
                Some(*v)
            } else {
                None
            }
        },
        |c| {
            if let Condition::EscalationBelow(v) = c {
                Some(*v)
            } else {
                None
            }
        },
    ) {
        return Some("asks for escalation at least one value and below a lower one".to_owned());
    }
    if bound(
        |c| {
            if let Condition::TrustAtLeast(v) = c {
                Some(*v)
            } else {
                None
            }
        },
        |c| {
            if let Condition::TrustBelow(v) = c {
                Some(*v)
            } else {
                None
            }
        },
    ) {
        return Some("asks for trust at least one value and below a lower one".to_owned());
    }
    None
}

/// Why a line's `audio` path is not allowed, if it is not: it must name a WAV file inside
/// the scenario's own folder, so a scenario cannot make the app read files elsewhere.
pub fn audio_path_problem(path: &str) -> Option<&'static str> {
    let p = std::path::Path::new(path);
    if path.trim().is_empty() {
        Some("is empty")
    } else if p.is_absolute() || path.starts_with('/') || path.starts_with('\\') || path.contains(':') {
        Some("must be relative to the scenario's folder")
    } else if p.components().any(|c| !matches!(c, std::path::Component::Normal(_)))
        || path.split(['/', '\\']).any(|c| c == "..")
    {
        Some("may not leave the scenario's folder")
    } else if !path.to_ascii_lowercase().ends_with(".wav") {
        Some("is not a .wav file")
    } else {
        None
    }
}

fn effect_ok(e: crate::scenario::model::Effect) -> bool {
    (-1.0..=1.0).contains(&e.escalation) && (-1.0..=1.0).contains(&e.trust)
}

#[cfg(test)]
mod tests {
    use crate::analysis::lexicon::Lexicon;
    use crate::scenario::diagnostic::line_col;
    use crate::scenario::load::check;

    const SHIPPED: &str = include_str!("../../../../scenarios/delivery_bereavement.ron");

    /// Errors for the shipped scenario after `edit`, as (message, line).
    fn errors_after(edit: impl Fn(&str) -> String) -> Vec<(String, usize)> {
        let source = edit(SHIPPED);
        assert_ne!(source, SHIPPED, "the edit must change the file");
        check(&source, &Lexicon::builtin())
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| (d.message.clone(), line_col(&source, d.span.start).0))
            .collect()
    }

    fn has(errors: &[(String, usize)], needle: &str) -> usize {
        errors
            .iter()
            .find(|(m, _)| m.contains(needle))
            .map(|(_, line)| *line)
            .unwrap_or_else(|| panic!("no error containing {needle:?} in {errors:#?}"))
    }

    #[test]
    fn an_outcome_cannot_claim_the_coach_ended_it() {
        let errors = errors_after(|s| s.replacen("kind: HungUp,", "kind: Stopped,", 1));
        assert_eq!(
            has(&errors, "kept for sessions a coach ends"),
            497,
            "at the outcome's id"
        );
    }

    #[test]
    fn an_unknown_voice_and_an_impossible_pitch_are_errors_at_their_fields() {
        let errors = errors_after(|s| {
            s.replace(
                "voice: \"bf_emma\", fallback: \"slt\", base_pitch_hz: 185.0",
                "voice: \"hal9000\", base_pitch_hz: 900.0",
            )
        });
        let voice_line = SHIPPED
            .lines()
            .position(|l| l.contains("voice: Voice("))
            .map_or(0, |i| i + 1);
        assert_eq!(has(&errors, "unknown voice \"hal9000\""), voice_line);
        assert_eq!(has(&errors, "`base_pitch_hz` is 900"), voice_line);
        // A neural voice's fallback must be a flite voice.
        let errors = errors_after(|s| s.replace("fallback: \"slt\"", "fallback: \"bf_lily\""));
        assert_eq!(has(&errors, "unknown fallback voice \"bf_lily\""), voice_line);
    }

    #[test]
    fn an_impossible_listening_style_is_an_error_at_its_fields() {
        let errors = errors_after(|s| {
            s.replace(
                "look: \"older_female\",",
                "look: \"older_female\",\n        listening: (\n            vocal: 2.0,\n            patience_s: 0.5,\n            backchannels: [\" \"],\n        ),",
            )
        });
        let look_line = SHIPPED.lines().position(|l| l.contains("look: ")).map_or(0, |i| i + 1);
        assert_eq!(has(&errors, "`vocal` is 2"), look_line + 2);
        assert_eq!(has(&errors, "`patience_s` is 0.5"), look_line + 3);
        assert_eq!(has(&errors, "has no words"), look_line + 1);
        let fine = errors_after(|s| {
            s.replace(
                "look: \"older_female\",",
                "look: \"older_female\",\n        listening: (backchannels: [\"Aye.\"], cuts_in: false),",
            )
        });
        assert!(fine.is_empty(), "{fine:#?}");
    }

    #[test]
    fn an_unknown_look_and_wild_expressiveness_are_errors_at_their_fields() {
        let errors = errors_after(|s| {
            s.replace(
                "look: \"older_female\",",
                "look: \"robot\",\n        body: (when_upset: Withdraws, expressiveness: 3.0),",
            )
        });
        let look_line = SHIPPED.lines().position(|l| l.contains("look: ")).map_or(0, |i| i + 1);
        assert_eq!(has(&errors, "unknown look \"robot\""), look_line);
        assert_eq!(has(&errors, "`expressiveness` is 3"), look_line + 1);
    }

    #[test]
    fn recorded_audio_must_stay_inside_the_scenario_folder() {
        for (path, problem) in [
            ("../../etc/passwd.wav", "may not leave"),
            ("/etc/x.wav", "must be relative"),
            ("C:/x.wav", "must be relative"),
            ("audio/line.mp3", "not a .wav"),
        ] {
            let errors = errors_after(|s| {
                s.replacen(
                    "tags: [Tearful, LooksDown, Quiet, Pause],",
                    &format!("tags: [Tearful, LooksDown, Quiet, Pause], audio: \"{path}\","),
                    1,
                )
            });
            let line = SHIPPED
                .lines()
                .position(|l| l.contains("tags: [Tearful, LooksDown, Quiet, Pause],"))
                .map_or(0, |i| i + 1);
            assert_eq!(has(&errors, problem), line, "{path}");
        }
        assert_eq!(super::audio_path_problem("audio/opening.wav"), None);
        assert_eq!(super::audio_path_problem("opening.WAV"), None);
    }

    #[test]
    fn words_of_a_reply_heard_as_a_harm_it_does_not_carry_are_warned_about() {
        let conflicts = |source: &str| {
            let checked = crate::check(source, &crate::Lexicon::builtin());
            let loaded = checked.scenario.expect("loads");
            super::lexicon_conflicts(&loaded, source)
        };
        let source = include_str!("../../../../scenarios/delivery_bereavement.ron");
        assert!(conflicts(source).is_empty(), "{:?}", conflicts(source));
        let text = "You mentioned Friday. What's happening on Friday?";
        assert!(source.contains(text));
        let edited = source.replacen(text, "You mentioned Friday. It's only a parcel though.", 1);
        let found = conflicts(&edited);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("`Minimising`"), "{}", found[0].message);
        assert!(
            edited[found[0].span.clone()].contains("text"),
            "{:?}",
            &edited[found[0].span.clone()]
        );
    }

    #[test]
    fn open_mode_traps_are_warned_about() {
        let source = SHIPPED
            .replace("keywords: [\"Friday\", \"deadline\"]", "keywords: [\"Friday\", \"the\"]")
            .replace(
                "next: Goto(\"details\"),\n                    coach: \"Reflecting",
                "next: Goto(\"details\"),\n                    requires: [NeedRevealed, NeedNotRevealed],\n                    coach: \"Reflecting",
            );
        let messages: Vec<String> = check(&source, &Lexicon::builtin())
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect();
        assert!(
            messages.iter().any(|m| m.contains("\"the\" is a function word")),
            "{messages:#?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("\"paraphrase_late\" can never be offered")),
            "{messages:#?}"
        );
    }

    #[test]
    fn the_shipped_example_has_no_problems() {
        let found = check(SHIPPED, &Lexicon::builtin()).diagnostics;
        assert!(
            found.is_empty(),
            "{:#?}",
            found.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_step_with_no_way_out_is_an_error() {
        // Both ways out of "offer" now loop back, so nothing reachable from it can finish…
        let errors = errors_after(|s| {
            s.replace(
                "next: Finish,\n                    requires: [NeedRevealed]",
                "next: Goto(\"offer\"),\n                    requires: [NeedRevealed]",
            )
            .replace(
                "next: Finish,\n                    coach: \"The parcel is fixed",
                "next: Goto(\"offer\"),\n                    coach: \"The parcel is fixed",
            )
            .replace("next: End(\"passed_on\")", "next: Goto(\"pushback\")")
        });
        has(&errors, "has no way out");
        // …and with no Finish reply left, the OnFinish outcomes can never happen.
        has(&errors, "outcome \"resolved\" is never reachable");
    }

    #[test]
    fn an_empty_band_is_an_error_at_the_band() {
        let errors = errors_after(|s| {
            s.replacen("Angry: [\n                    Line(text: \"Right. This is the third time", "Angry: [],\n                    Hostile: [\n                    Line(text: \"Right. This is the third time", 1)
        });
        let line = has(&errors, "band Angry is empty");
        assert!(
            SHIPPED.lines().count() > line && line > 60,
            "located inside the opening step, got line {line}"
        );
    }

    #[test]
    fn a_hidden_need_nobody_can_reveal_is_an_error() {
        let errors = errors_after(|s| {
            s.replace("intents: [OpenQuestion, Paraphrase, TakeYourTime],\n            options: [\"ask_friday\", \"notice_fine\"],", "intents: [],\n            options: [],\n            on_cue_response: false,")
        });
        has(&errors, "has no reveal path");
    }

    #[test]
    fn duplicate_ids_and_missing_intents_are_each_reported() {
        let errors = errors_after(|s| {
            s.replacen("id: \"order_number\"", "id: \"ask_friday\"", 1).replacen(
                "intents: [ClosedQuestion],",
                "intents: [],",
                1,
            )
        });
        let dup = has(&errors, "duplicate reply id \"ask_friday\"");
        let orig = SHIPPED
            .lines()
            .position(|l| l.contains("id: \"order_number\""))
            .map(|i| i + 1);
        assert_eq!(Some(dup), orig, "the duplicate is located at its second occurrence");
        has(&errors, "has no intents");
    }

    #[test]
    fn thresholds_out_of_range_are_errors() {
        let errors = errors_after(|s| s.replacen("EscalationAtLeast(0.92)", "EscalationAtLeast(1.5)", 1));
        has(&errors, "outside 0..1");
    }
}
