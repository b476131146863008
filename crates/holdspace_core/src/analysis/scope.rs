//! Scope: whether a phrase found in a clause is really said, and moves read from a
//! clause's shape rather than from one phrase.
//!
//! "I'm not going to tell you to calm down" contains "calm down" but does not say it;
//! "you said it's just a deposit" reports the customer's words rather than minimising.
//! A negation or a report frame before a phrase, in the same clause, sets it aside.
//! Refusals ("I'm not permitted to unlock it") and blaming questions ("why didn't you…")
//! are read from the clause's shape, since their words alone look like a fix or an
//! open question.

use crate::analysis::intent::Intent;
use crate::analysis::lexicon::Hit;
use crate::analysis::text::Clause;

/// Words that negate what follows them in a clause. ("no" only counts inside a clause:
/// a clause that opens "no," is an answer, not a negation.)
const NEGATORS: &[&str] = &["never", "no", "nobody", "nor", "not"];

/// How many words before a phrase a negation still reaches ("I'm not going to tell you
/// to calm down": five).
const NEGATION_REACH: usize = 7;

/// Frames that report or quote someone else's words rather than saying them.
const REPORT_FRAMES: &[&[&str]] = &[
    &["you", "said"],
    &["you", "say"],
    &["you", "mentioned"],
    &["you", "told"],
    &["you", "were", "told"],
    &["you", "have", "been", "told"],
    &["told", "you"],
    &["you", "feel"],
    &["you", "felt"],
    &["you", "think"],
    &["they", "said"],
    &["someone", "said"],
    &["saying"],
];

/// Words after a phrase that disown it: "calm down is the last thing I'd say".
const DISOWNED_AFTER: &[&[&str]] = &[
    &["is", "the", "last", "thing"],
    &["was", "the", "last", "thing"],
    &["is", "not", "something", "i"],
    &["is", "not", "what", "i"],
];

/// Words that, after "and", "so" or "because", open a new statement with its own
/// subject: a negation before them does not reach past ("nobody rang you and that is
/// on us" owns the fault).
pub(crate) const SUBJECTS: &[&str] = &["i", "it", "that", "this", "we", "you", "they", "he", "she"];

/// Joining words a new statement can follow.
pub(crate) const JOINERS: &[&str] = &["and", "so", "because", "cause"];

/// Why a phrase found in a clause does not count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetAside {
    /// A negation comes before it ("not", "never").
    Negated(String),
    /// It reports or quotes someone ("you said…").
    Reported(String),
    /// The words that follow make it something else: what the customer will get ("you
    /// should have it Thursday"), what was owed to them ("you should have been told"), an
    /// offer ("if you'd rather talk to them"). Unlike a negation this disowns nothing:
    /// the phrase simply was not that move.
    Meant(&'static str),
}

impl SetAside {
    /// In plain words, for explanations.
    pub fn describe(&self) -> String {
        match self {
            SetAside::Negated(w) => format!("negated by \"{w}\""),
            SetAside::Reported(w) => format!("reported (\"{w}\")"),
            SetAside::Meant(what) => (*what).to_owned(),
        }
    }
}

/// Verbs of knowing whose "why…" or "how…" after a negation is taken as given.
const KNOWING: &[&str] = &["know", "see", "sure", "understand", "get"];

/// "… sure why", "… know how": a verb of knowing with a "why" or "how" after it, so that
/// the words that follow are presupposed rather than negated.
fn knowing_what(between: &[String]) -> bool {
    between
        .windows(2)
        .take(4)
        .any(|w| KNOWING.contains(&w[0].as_str()) && matches!(w[1].as_str(), "why" | "how"))
}

/// Whether a lexicon hit is negated or reported in its clause.
pub fn set_aside(clause: &Clause, hit: &Hit) -> Option<SetAside> {
    let before = clause.words.get(..hit.start).unwrap_or_default();
    let after = clause.words.get(hit.start + hit.len..).unwrap_or_default();
    if let Some(frame) = DISOWNED_AFTER
        .iter()
        .find(|f| after.starts_with(&f.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>()))
    {
        return Some(SetAside::Negated(frame.join(" ")));
    }
    if hit.intent == Intent::Blame
        && let Some(meant) = not_blame(&hit.phrase, after)
    {
        return Some(SetAside::Meant(meant));
    }
    if hit.intent == Intent::Minimising && after.starts_with(&["to".to_owned(), "ask".to_owned()]) {
        return Some(SetAside::Meant("a fair thing to ask, not making little of it"));
    }
    // "It happens without any warning", "it happens when the card expires": how the fault
    // comes about, not a shrug.
    if hit.intent == Intent::Minimising
        && hit.phrase == "it happens"
        && after.first().is_some_and(|w| HOW_IT_HAPPENS.contains(&w.as_str()))
    {
        return Some(SetAside::Meant("how the fault comes about, not a shrug"));
    }
    if hit.intent == Intent::Minimising && hit.phrase == "its just the" && a_cause_or_wall(before, after) {
        return Some(SetAside::Meant(
            "naming a cause or a rule, not making little of their problem",
        ));
    }
    if hit.intent == Intent::Minimising
        && (hit.phrase.ends_with("only") || hit.phrase.ends_with("just the"))
        && a_limit(after)
    {
        return Some(SetAside::Meant(
            "a limit on what can be done, not making little of their problem",
        ));
    }
    // "unless I know exactly what it's for": a condition, not a claim about them.
    if hit.intent == Intent::AssumptiveEmpathy && before.last().is_some_and(|w| CONDITIONS.contains(&w.as_str())) {
        return Some(SetAside::Meant("a condition, not a claim to know how they feel"));
    }
    let reach = before.len().saturating_sub(NEGATION_REACH);
    for (i, w) in before.iter().enumerate().skip(reach) {
        // A "no" in the clause's opening run ("No, calm down", "no no wait, I'm sorry")
        // answers; it negates nothing.
        let answering = w == "no"
            && before[..i]
                .iter()
                .enumerate()
                .all(|(j, x)| j < clause.lead || x == "no");
        if NEGATORS.contains(&w.as_str()) && !answering {
            // "not only… but" is emphasis, not negation.
            if before.get(i + 1).is_some_and(|n| n == "only") {
                continue;
            }
            if starts_a_statement(clause.words.get(i + 1..=hit.start).unwrap_or_default()) {
                continue;
            }
            if inverted(&clause.words, i) {
                continue;
            }
            // "I can't imagine how hard that is" still tells them how they feel, and "I'm
            // not sure why you keep ringing" still says they keep ringing: what follows
            // "why" or "how" after a verb of knowing is taken as given, not negated.
            if before.iter().skip(i + 1).take(3).any(|w| w == "imagine") || knowing_what(&before[i + 1..]) {
                continue;
            }
            // "There ain't nothing I can do", "I can't do nothing about it": a negation
            // that runs on into another negative word doubles it (negative concord, as
            // spoken), it does not undo it. "It's not nothing" says it is something.
            if concord(&clause.words, i) {
                continue;
            }
            // "I can't tell you how much I understand…", "I can't say how sorry I am":
            // beyond words, which says it more, not less.
            if emphatic(before, i) {
                continue;
            }
            return Some(SetAside::Negated(w.clone()));
        }
    }
    for frame in REPORT_FRAMES {
        // "don't you think…" asks the customer to agree; it reports nobody.
        if before
            .windows(frame.len())
            .enumerate()
            .any(|(k, w)| w.iter().zip(frame.iter()).all(|(a, b)| a == b) && !(k > 0 && inverted(before, k - 1)))
        {
            return Some(SetAside::Reported(frame.join(" ")));
        }
    }
    None
}

/// Whether the negation at `words[i]` runs straight into another negative word that is
/// not "nothing" said of "it" or "that" ("there ain't nothing I can do" but not "that's
/// not nothing").
fn concord(words: &[String], i: usize) -> bool {
    let next = words.get(i + 1).map(String::as_str);
    let negative = matches!(next, Some("nothing" | "nobody" | "none" | "nowhere" | "no"));
    let litotes = next == Some("nothing")
        && i >= 2
        && words[i - 1] == "is"
        && matches!(words[i - 2].as_str(), "it" | "that" | "this");
    negative && !litotes
}

/// Whether the negation at `before[i]` is "can't tell you how…" or "couldn't say how…":
/// a way of saying something is beyond words, which negates nothing after it.
fn emphatic(before: &[String], i: usize) -> bool {
    let can = i > 0 && matches!(before[i - 1].as_str(), "can" | "could");
    let telling = before
        .get(i + 1)
        .is_some_and(|w| matches!(w.as_str(), "tell" | "say" | "express" | "describe"));
    can && telling && before.iter().skip(i + 2).take(2).any(|w| w == "how")
}

/// What follows "you should have" or "you must have" when it is a thing to have, not a
/// thing they failed to do ("you should have it Thursday", "you must have another one").
const THINGS: &[&str] = &[
    "it",
    "them",
    "that",
    "this",
    "these",
    "those",
    "one",
    "a",
    "an",
    "the",
    "your",
    "another",
    "something",
    "everything",
    "some",
];

/// Past participles that make "you should have been …" something owed to the customer
/// ("told", "listened to") rather than something they should have been ("careful").
const OWED: &[&str] = &[
    "told", "given", "shown", "sent", "rung", "kept", "seen", "taken", "offered",
];

/// Blame phrases that the words after them turn into something else (see
/// [`SetAside::Meant`]); `None` when they stay blame.
fn not_blame(phrase: &str, after: &[String]) -> Option<&'static str> {
    let next = after.first().map(String::as_str);
    let then = after.get(1).map(String::as_str);
    let should = phrase.ends_with("should have") || phrase.ends_with("shouldve");
    if (should || phrase.ends_with("must have")) && next.is_some_and(|w| THINGS.contains(&w)) {
        return Some("what they will have, not what they failed to do");
    }
    // "You must have been worried" is another move (assumptive empathy), heard by its own phrases.
    if should && next == Some("been") && then.is_some_and(|w| OWED.contains(&w) || (w.ends_with("ed") && w.len() > 4)) {
        return Some("what was owed to them, not what they failed to do");
    }
    if phrase.ends_with("if you would") && next.is_some_and(|w| matches!(w, "rather" | "like" | "prefer")) {
        return Some("an offer (\"if you'd rather\")");
    }
    None
}

/// Auxiliaries that, with "not" and then a subject, make a negative question ("don't you
/// think you're overreacting?", "isn't it only a parcel?"): it asserts what follows.
const AUXILIARIES: &[&str] = &[
    "am", "are", "can", "could", "did", "do", "does", "has", "have", "is", "should", "was", "were", "will", "would",
];

/// Whether the "not" at `i` in `words` belongs to a negative question ("do not you
/// think…"), which asserts the phrase after it instead of negating it.
fn inverted(words: &[String], i: usize) -> bool {
    let aux = i
        .checked_sub(1)
        .and_then(|j| words.get(j))
        .is_some_and(|w| AUXILIARIES.contains(&w.as_str()));
    let subject = words.get(i + 1).is_some_and(|w| SUBJECTS.contains(&w.as_str()));
    aux && subject && words.get(i).is_some_and(|w| w == "not")
}

/// What the customer may be told they failed to do ("you never sent us the reading",
/// "you didn't leave it on standby"): their part of the job, not what happened to them
/// ("you never got a call back" is not blame).
const DUTIES: &[&str] = &[
    "activate",
    "activated",
    "answer",
    "answered",
    "check",
    "checked",
    "confirm",
    "confirmed",
    "enter",
    "entered",
    "fill",
    "filled",
    "follow",
    "followed",
    "give",
    "gave",
    "inform",
    "informed",
    "leave",
    "mention",
    "mentioned",
    "notify",
    "notified",
    "pay",
    "paid",
    "put",
    "read",
    "register",
    "registered",
    "reply",
    "replied",
    "report",
    "reported",
    "return",
    "returned",
    "ring",
    "rang",
    "save",
    "saved",
    "send",
    "sent",
    "set",
    "sign",
    "signed",
    "switch",
    "switched",
    "tell",
    "told",
    "turn",
    "turned",
    "type",
    "typed",
    "update",
    "updated",
];

/// "You never sent us the meter reading", "you didn't tell the last person": telling the
/// customer what they failed to do. A negation, report or condition before the "you"
/// ("I'm not saying you didn't…", "if you didn't get the email") makes it something else.
/// Returns the words that showed it.
pub fn failed_to(clause: &Clause) -> Option<String> {
    let w = &clause.words;
    // "thank you, you never sent…": every "you" may open it, not only the first.
    for at in w.iter().enumerate().filter(|(_, x)| *x == "you").map(|(i, _)| i) {
        let softened = w[..at].iter().any(|x| {
            NEGATORS.contains(&x.as_str())
                || CONDITIONS.contains(&x.as_str())
                || matches!(x.as_str(), "saying" | "say" | "said" | "when" | "whether")
        });
        if softened {
            return None;
        }
        let mut j = past_hedges(w, at + 1, &["actually", "ever", "even"]);
        j += match w.get(j..).unwrap_or_default() {
            [d, n, ..] if matches!(d.as_str(), "did" | "have" | "had") && n == "not" => 2,
            [n, ..] if n == "never" => 1,
            _ => continue,
        };
        j = past_hedges(w, j, &["actually", "ever", "even"]);
        let Some(verb) = w.get(j) else { continue };
        // "you didn't ring to be told off": a purpose, not a duty left undone.
        let purpose = w.get(j + 1).is_some_and(|x| x == "to")
            && w.get(j + 2).is_some_and(|x| {
                !matches!(
                    x.as_str(),
                    "us" | "me" | "the" | "a" | "an" | "anyone" | "him" | "her" | "them" | "your"
                )
            });
        if DUTIES.contains(&verb.as_str()) && !purpose {
            return Some(w[at..=j].join(" "));
        }
    }
    None
}

/// Doing-words besides [`DUTIES`] that a customer may be told they did wrong.
const HANDLING: &[&str] = &[
    "chose", "choose", "picked", "pick", "plugged", "plug", "pressed", "press", "pressing", "selected", "select",
    "typed",
];

/// "You've probably just got it on the wrong input", "you pressed the wrong button":
/// telling the customer what they did wrong. What was done to them ("you got the wrong
/// parcel", "you were given the wrong number") is not this. Returns the words that showed it.
pub fn did_wrong(clause: &Clause) -> Option<String> {
    let w = &clause.words;
    for at in w.iter().enumerate().filter(|(_, x)| *x == "you").map(|(i, _)| i) {
        if w[..at]
            .iter()
            .any(|x| NEGATORS.contains(&x.as_str()) || CONDITIONS.contains(&x.as_str()))
        {
            return None;
        }
        let j = past_hedges(
            w,
            at + 1,
            &["have", "must", "might", "may", "will", "probably", "accidentally"],
        );
        let Some(verb) = w.get(j) else { continue };
        let doing = DUTIES.contains(&verb.as_str())
            || HANDLING.contains(&verb.as_str())
            || (matches!(verb.as_str(), "got" | "left" | "set") && w.get(j + 1).is_some_and(|x| x == "it"));
        if doing && w.iter().skip(j + 1).take(5).any(|x| x == "wrong") {
            return Some(w[at..=j].join(" ") + " … wrong");
        }
    }
    None
}

/// The index of the first word from `j` on that is not a hedge ([`HEDGES`] or `extra`).
fn past_hedges(words: &[String], mut j: usize, extra: &[&str]) -> usize {
    while words
        .get(j)
        .is_some_and(|x| HEDGES.contains(&x.as_str()) || extra.contains(&x.as_str()))
    {
        j += 1;
    }
    j
}

/// Actions too broad to be an offer on their own ("I'll put you through", "we'll take it
/// one bit at a time", "I'll give you their number", "I'll just make a note").
const BROAD: &[&str] = &[
    "bend", "break", "do", "get", "give", "go", "help", "make", "offer", "put", "take",
];

/// "What we can do instead is verify you by text", "what I'll do is send a new one": a
/// statement of what the trainee will do, fronted by "what". Returns the action word when
/// it is one a refusal would refuse (not a broad one like "do" or "get"), or "do" when
/// the statement names no such action; `None` when the clause is not so shaped.
pub fn cleft_offer(clause: &Clause) -> Option<String> {
    let core = clause.core();
    let [what, subject, rest @ ..] = core else { return None };
    if what != "what" || !matches!(subject.as_str(), "i" | "we") {
        return None;
    }
    let done = rest.iter().take(5).position(|w| w == "do")?;
    let is = rest
        .iter()
        .skip(done + 1)
        .take(3)
        .position(|w| w == "is")
        .map(|k| done + 1 + k)?;
    let action = rest
        .iter()
        .skip(is + 1)
        .find(|w| !matches!(w.as_str(), "to" | "just" | "i" | "we" | "can" | "will"))?;
    Some(
        if ACTIONS.contains(&action.as_str()) && !BROAD.contains(&action.as_str()) {
            action.clone()
        } else {
            "do".to_owned()
        },
    )
}

/// "I can verify you with a code instead", "we'll reset it now": the trainee offering to do
/// one of the things a refusal would refuse (the refusal verbs), said as a statement. The mirror
/// of [`refusal`]. Returns the words that showed it.
pub fn offer(clause: &Clause) -> Option<String> {
    if let Some(action) = cleft_offer(clause).filter(|a| a != "do") {
        return Some(format!("what … do is {action}"));
    }
    let w = &clause.words;
    for (i, subject) in w.iter().enumerate() {
        let modal = match subject.as_str() {
            "i" | "we" => w
                .get(i + 1)
                .filter(|m| matches!(m.as_str(), "can" | "will" | "could"))
                .map(|_| 2),
            "ill" | "well" => Some(1),
            _ => None,
        };
        let Some(skip) = modal else { continue };
        // "if I can…", "I can not…", a negation earlier: not an offer.
        if w[..i]
            .iter()
            .any(|x| NEGATORS.contains(&x.as_str()) || CONDITIONS.contains(&x.as_str()))
        {
            return None;
        }
        let j = past_hedges(w, i + skip, &["also", "definitely", "easily", "quickly"]);
        // "I'll send you to billing" passes them on.
        let passes_on = w.get(j + 1).is_some_and(|x| x == "you")
            && w.get(j + 2)
                .is_some_and(|x| matches!(x.as_str(), "to" | "through" | "over" | "across"));
        if w.get(j)
            .is_some_and(|v| ACTIONS.contains(&v.as_str()) && !BROAD.contains(&v.as_str()))
            && !passes_on
        {
            return Some(w[i..=j].join(" "));
        }
    }
    None
}

/// Words that make what follows them a condition ("unless I know exactly what it's for").
const CONDITIONS: &[&str] = &["if", "unless", "until", "once"];

/// Whether the words after "it's only" or "it's just the" limit what the trainee can do
/// ("it's only refunds we can do", "it's just the interest I can freeze") rather than
/// make little of the customer's problem ("it's only a passcode", "it's just the telly").
fn a_limit(after: &[String]) -> bool {
    after.windows(2).take(6).any(|w| {
        matches!(w[0].as_str(), "i" | "we" | "they")
            && matches!(
                w[1].as_str(),
                "can" | "could" | "do" | "offer" | "are" | "am" | "will" | "would"
            )
    })
}

/// Words after "it happens" that say how or when it does.
const HOW_IT_HAPPENS: &[&str] = &[
    "without",
    "when",
    "whenever",
    "if",
    "because",
    "after",
    "automatically",
    "overnight",
    "once",
];

/// Whether "it's just the…" names a cause the trainee has found ("I think it's just the
/// standby setting", "it's probably just the router") or a rule ("it's just the process",
/// which the walls read), rather than making little of what the customer cares about
/// ("it's just the telly").
fn a_cause_or_wall(before: &[String], after: &[String]) -> bool {
    const HEDGES: &[&str] = &["think", "probably", "maybe", "might", "could", "likely", "reckon"];
    const RULES: &[&str] = &["process", "system", "policy", "rules", "way", "procedure"];
    before.iter().rev().take(4).any(|w| HEDGES.contains(&w.as_str()))
        || after.first().is_some_and(|w| RULES.contains(&w.as_str()))
}

/// Whether the words between a negation and a phrase hold a new statement ("… and
/// that is …"), which the negation does not reach.
fn starts_a_statement(between: &[String]) -> bool {
    between
        .windows(2)
        .any(|w| JOINERS.contains(&w[0].as_str()) && SUBJECTS.contains(&w[1].as_str()))
}

/// Frames a trainee uses to say something again ("like I said…"): the customer hears that
/// they were not listened to the first time.
const REPEATING: &[&[&str]] = &[
    &["like", "i", "said"],
    &["as", "i", "said"],
    &["like", "i", "say"],
    &["as", "i", "say"],
    &["as", "i", "mentioned"],
    &["like", "i", "mentioned"],
    &["as", "i", "have", "said"],
    &["as", "i", "explained"],
    &["like", "i", "explained"],
    &["as", "i", "told", "you"],
    &["like", "i", "told", "you"],
    &["i", "have", "already", "said"],
    &["i", "already", "said"],
    &["i", "have", "already", "told", "you"],
    &["i", "already", "told", "you"],
    &["i", "have", "already", "explained"],
];

/// How a trainee takes back what they just said and starts again. "No" or "sorry" alone
/// is not one ("no, I can't do that" answers; "sorry" apologises), nor is "I mean" (a
/// filler).
const CORRECTING: &[&[&str]] = &[
    &["no", "sorry", "i", "meant"],
    &["sorry", "no", "i", "meant"],
    &["sorry", "i", "meant"],
    &["no", "i", "meant"],
    &["i", "meant"],
    &["sorry", "what", "i", "meant", "was"],
    &["what", "i", "meant", "was"],
    &["no", "wait"],
    &["wait", "no"],
    &["sorry", "let", "me", "rephrase", "that"],
    &["sorry", "let", "me", "rephrase"],
    &["let", "me", "rephrase", "that"],
    &["let", "me", "rephrase"],
    &["sorry", "let", "me", "try", "that", "again"],
    &["let", "me", "try", "that", "again"],
    &["sorry", "scratch", "that"],
    &["scratch", "that"],
    &["sorry", "that", "came", "out", "wrong"],
    &["that", "came", "out", "wrong"],
];

/// Sounds that may come before a correction ("oh, sorry, I meant…").
const CORRECTION_LEAD: &[&str] = &["oh", "um", "erm", "uh", "er", "ah"];

/// When `text` opens by taking back what was just said ("no, sorry, I meant…"), the words
/// after that opening (possibly none): the reply meant instead.
pub fn correcting(text: &str) -> Option<String> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let plain: Vec<String> = tokens
        .iter()
        .map(|t| {
            t.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'' || *c == '\u{2019}')
                .collect::<String>()
                .to_lowercase()
        })
        .collect();
    let lead = plain
        .iter()
        .take_while(|w| CORRECTION_LEAD.contains(&w.as_str()))
        .count();
    let said = plain.get(lead..).unwrap_or_default();
    let opener = CORRECTING
        .iter()
        .find(|frame| said.len() >= frame.len() && frame.iter().zip(said).all(|(a, b)| *a == b))?;
    let rest = tokens.get(lead + opener.len()..).unwrap_or_default().join(" ");
    Some(
        rest.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '"')
            .to_owned(),
    )
}

/// The words with which the trainee says they are repeating themselves, if they are.
pub fn repeating(words: &[String]) -> Option<String> {
    REPEATING.iter().find_map(|frame| {
        words
            .windows(frame.len())
            .any(|w| w.iter().zip(frame.iter()).all(|(a, b)| a == b))
            .then(|| frame.join(" "))
    })
}

/// Verbs that, refused, make a policy wall: what the trainee could do for them.
pub(crate) const ACTIONS: &[&str] = &[
    "approve",
    "arrange",
    "authorise",
    "authorize",
    "bend",
    "book",
    "break",
    "cancel",
    "change",
    "compensate",
    "credit",
    "do",
    "extend",
    "fix",
    "get",
    "give",
    "go",
    "help",
    "issue",
    "lower",
    "make",
    "move",
    "offer",
    "override",
    "process",
    "put",
    "reactivate",
    "reduce",
    "refund",
    "release",
    "remove",
    "reopen",
    "reset",
    "reverse",
    "send",
    "sort",
    "speed",
    "split",
    "stop",
    "take",
    "unblock",
    "unfreeze",
    "unlock",
    "verify",
    "waive",
];

/// Words a refusal is made of, after the subject: "can not", "am not able to",
/// "am not allowed to", "am unable to", "will not be able to", "do not have the authority to".
const REFUSING: &[&[&str]] = &[
    &["can", "not"],
    &["could", "not"],
    &["am", "not", "able"],
    &["are", "not", "able"],
    &["am", "not", "allowed"],
    &["are", "not", "allowed"],
    &["am", "not", "permitted"],
    &["are", "not", "permitted"],
    &["am", "not", "authorised"],
    &["am", "not", "authorized"],
    &["am", "unable"],
    &["are", "unable"],
    &["will", "not", "be", "able"],
    &["do", "not", "have", "the", "authority"],
    &["do", "not", "have", "the", "power"],
    &["have", "not", "got", "the", "authority"],
    &["have", "not", "got", "the", "power"],
    &["have", "no", "authority"],
    &["have", "no", "way"],
    &["is", "not", "possible"],
];

/// "I'm not permitted to unlock it", "we can't waive that": a refusal of something the
/// trainee could do, which the customer hears as a wall however politely it is put.
/// Returns the words that showed it.
pub fn refusal(clause: &Clause) -> Option<String> {
    let w = &clause.words;
    for (i, subject) in w.iter().enumerate() {
        if !matches!(subject.as_str(), "i" | "we" | "you" | "it" | "that") {
            continue;
        }
        for pattern in REFUSING {
            let end = i + 1 + pattern.len();
            if w.get(i + 1..end)
                .is_none_or(|s| s.iter().zip(pattern.iter()).any(|(a, b)| a != b))
            {
                continue;
            }
            // "it is not possible" is a refusal by itself; otherwise an action must follow.
            if pattern.last() == Some(&"possible") {
                return Some(w[i..end].join(" "));
            }
            let action = w
                .iter()
                .enumerate()
                .skip(end)
                .take(4)
                .find(|(_, v)| ACTIONS.contains(&v.as_str()));
            // "you can't get in", "you can't get into your banking": the customer's
            // trouble, not something refused them.
            let locked_out = subject == "you"
                && action.is_some_and(|(j, v)| {
                    v == "get"
                        && w.get(j + 1)
                            .is_some_and(|n| matches!(n.as_str(), "in" | "into" | "on" | "online" | "through" | "back"))
                });
            if locked_out {
                continue;
            }
            if let Some((j, _)) = action {
                return Some(w[i..=j].join(" "));
            }
        }
    }
    None
}

/// What a disclaimer disowns when it is about to accuse ("I'm not saying you're lying").
const ACCUSED: &[&str] = &[
    "blame",
    "careless",
    "fault",
    "imagining",
    "liar",
    "lying",
    "mistake",
    "wrong",
];

/// "I'm not saying you're lying", "I'm not accusing you of anything": a disclaimer of an
/// accusation. Before a "but" that does not go on to help ([`analyse`] checks that), it
/// says what it disclaims. Returns the words.
///
/// [`analyse`]: crate::analysis::analyse
pub fn disclaimed_blame(clause: &Clause) -> Option<String> {
    let w = &clause.words;
    let at = w
        .windows(2)
        .position(|x| x[0] == "not" && matches!(x[1].as_str(), "saying" | "accusing" | "suggesting"))?;
    let accuses = w[at + 1] == "accusing" || w.iter().skip(at + 2).take(5).any(|x| ACCUSED.contains(&x.as_str()));
    accuses.then(|| w[at..(at + 3).min(w.len())].join(" "))
}

/// Words that may stand between "you" and "should have" ("you really should have").
const HEDGES: &[&str] = &[
    "honestly",
    "just",
    "probably",
    "really",
    "realistically",
    "still",
    "too",
    "maybe",
];

/// "You really should've checked", "you ought to have rung": telling the customer what
/// they should have done, however it is softened. Returns the words that showed it.
pub fn should_have(clause: &Clause) -> Option<String> {
    let w = &clause.words;
    for (i, word) in w.iter().enumerate() {
        if word != "you" {
            continue;
        }
        let mut j = i + 1;
        while w.get(j).is_some_and(|x| HEDGES.contains(&x.as_str())) {
            j += 1;
        }
        let rest = w.get(j..).unwrap_or_default();
        let blames = matches!(rest, [m, h, ..] if (m == "should" || m == "could") && (h == "have" || h == "of"))
            || matches!(rest, [o, t, h, ..] if o == "ought" && t == "to" && h == "have")
            || matches!(rest, [n, t, ..] if (n == "needed" || n == "were") && (t == "to" || t == "meant" || t == "supposed"))
            // "You must have typed it wrong", "you can't have read the letter": guessing
            // at what they did wrong. ("You must have been worried" is not: only a duty.)
            || matches!(rest, [m, h, v, ..] if (m == "must" || m == "mustve") && h == "have" && DUTIES.contains(&v.as_str()))
            || matches!(rest, [c, n, h, v, ..] if c == "can" && n == "not" && h == "have" && DUTIES.contains(&v.as_str()));
        // "You could have been hurt" is concern, not blame, and "you should have it by
        // Thursday" a promise: the word after "have" decides.
        let concern = rest.get(2).is_some_and(|v| v == "been" || THINGS.contains(&v.as_str()));
        if blames && !concern {
            let end = (j + 3).min(w.len());
            return Some(w[i..end].join(" "));
        }
    }
    None
}

/// Words after "why … you" that make the question an accusation rather than an
/// invitation: "why didn't you", "why would you", "why on earth", "why did you wait".
const ACCUSING: &[&str] = &[
    "bother", "earth", "even", "ignore", "ignored", "leave", "left", "not", "wait", "waited", "would",
];

/// "Why didn't you ring sooner?": a question shaped as open that puts the problem on
/// the customer. Returns the words that showed it.
pub fn blaming_question(clause: &Clause) -> Option<String> {
    let core = clause.core();
    // "Have you been pressing the wrong button again?", "did you type it in wrong?": a
    // yes/no question (said with or without the question mark) that guesses at the
    // customer's mistake.
    if let [aux, you, rest @ ..] = core
        && matches!(aux.as_str(), "have" | "did" | "are" | "were" | "could")
        && you == "you"
        && rest.iter().any(|w| w == "wrong")
    {
        return Some(format!("{aux} you … wrong"));
    }
    // "Did you not get the email?", "have you not read the letter?": asked as if they
    // should have.
    if let [aux, a, b, verb, ..] = core
        && matches!(aux.as_str(), "did" | "have")
        && ((a == "you" && (b == "not" || b == "never")) || (a == "not" && b == "you"))
        && (DUTIES.contains(&verb.as_str())
            || matches!(
                verb.as_str(),
                "get" | "got" | "see" | "seen" | "receive" | "received" | "notice" | "noticed"
            ))
    {
        return Some(format!("{aux} {a} {b} {verb}"));
    }
    let opens = match core {
        [first, ..] if first == "why" => 1,
        [first, second, ..] if first == "how" && second == "come" => 2,
        _ => return None,
    };
    let rest = core.get(opens..).unwrap_or_default();
    let you = rest.iter().position(|w| w == "you" || w == "youd")?;
    let accusing = rest.iter().take(you + 4).any(|w| ACCUSING.contains(&w.as_str()));
    accusing.then(|| core.iter().take(opens + you + 2).cloned().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::text::clauses;

    fn first(text: &str) -> Clause {
        clauses(text).remove(0)
    }

    fn hit(clause: &Clause, phrase: &str) -> Hit {
        let words: Vec<String> = phrase.split(' ').map(str::to_owned).collect();
        let start = (0..clause.words.len())
            .find(|&i| clause.words.get(i..i + words.len()) == Some(words.as_slice()))
            .expect("phrase in clause");
        Hit {
            intent: crate::Intent::Minimising,
            phrase: phrase.to_owned(),
            start,
            len: words.len(),
            anchored: false,
        }
    }

    #[test]
    fn negation_sets_a_phrase_aside() {
        let c = first("I'm not going to tell you to calm down");
        assert!(matches!(
            set_aside(&c, &hit(&c, "calm down")),
            Some(SetAside::Negated(_))
        ));
        let c = first("I'd never say it's your fault");
        assert!(matches!(
            set_aside(&c, &hit(&c, "your fault")),
            Some(SetAside::Negated(_))
        ));
        let c = first("it doesn't sound like it's just a deposit");
        assert!(set_aside(&c, &hit(&c, "just a")).is_some());
    }

    #[test]
    fn what_the_customer_failed_to_do_is_read_from_its_shape() {
        let failed = |t: &str| failed_to(&first(t));
        assert!(failed("you never actually sent us the meter reading though").is_some());
        assert!(failed("you didn't leave it on standby like we said").is_some());
        assert_eq!(failed("you never got a call back"), None);
        assert_eq!(failed("I'm not saying you didn't send it"), None);
        assert_eq!(failed("if you didn't get the email I can resend it"), None);
        assert_eq!(failed("you didn't do anything wrong"), None);
        assert_eq!(failed("you didn't ring to be told off"), None);
        assert!(failed("you never sent it to us").is_some());
        assert!(failed("thank you you never sent the reading though").is_some());
    }

    #[test]
    fn an_offer_is_read_from_its_shape() {
        let offered = |t: &str| offer(&first(t));
        assert!(offered("I can verify you with a code to your mobile instead").is_some());
        assert!(offered("we'll just reset it for you now").is_some());
        assert_eq!(offered("I can not verify you without the reader"), None);
        assert_eq!(offered("can I take your name"), None);
        assert_eq!(offered("I can hear how much this matters"), None);
        assert_eq!(offered("if I can unlock it I will"), None);
        assert_eq!(offered("I'll put you through to my supervisor"), None);
        assert_eq!(offered("I'll send you over to billing"), None);
    }

    #[test]
    fn what_they_did_wrong_is_blame_and_what_was_done_to_them_is_not() {
        assert!(
            did_wrong(&first(
                "the box is fine, you've probably just got it on the wrong input"
            ))
            .is_none()
        );
        let c = clauses("the box is fine, you've probably just got it on the wrong input").remove(1);
        assert!(did_wrong(&c).is_some(), "{c:?}");
        assert!(did_wrong(&first("you pressed the wrong button")).is_some());
        assert_eq!(did_wrong(&first("you got the wrong parcel")), None);
        assert_eq!(did_wrong(&first("you were given the wrong number")), None);
        assert_eq!(did_wrong(&first("I don't think you pressed anything wrong")), None);
    }

    #[test]
    fn guessing_what_they_did_wrong_is_blame_and_concern_is_not() {
        assert!(should_have(&first("you can't have read the letter properly")).is_some());
        assert!(should_have(&first("you must have typed it in wrong")).is_some());
        assert!(should_have(&first("you really needed to update the card")).is_some());
        assert_eq!(should_have(&first("you must have been so worried")), None);
        assert_eq!(should_have(&first("you can't have known the card had expired")), None);
        assert_eq!(should_have(&first("you should have it by Thursday")), None);
    }

    #[test]
    fn a_negative_question_asserts_what_follows() {
        let c = first("don't you think you're overreacting a bit");
        let words: Vec<String> = "overreacting".split(' ').map(str::to_owned).collect();
        assert!(c.words.contains(&words[0]), "{c:?}");
        assert_eq!(set_aside(&c, &hit(&c, "overreacting")), None);
        let c = first("isn't it only a parcel at the end of the day");
        assert_eq!(set_aside(&c, &hit(&c, "only a parcel")), None);
        let c = first("I can't imagine how frustrating that is");
        assert_eq!(set_aside(&c, &hit(&c, "how frustrating")), None);
        let c = first("no no wait Arthur I'm sorry I was going too fast");
        assert_eq!(set_aside(&c, &hit(&c, "i am sorry")), None);
        // Negative concord doubles the negation; it does not undo the phrase.
        let c = first("there ain't nothing I can do before the ten days");
        assert_eq!(set_aside(&c, &hit(&c, "nothing i can do")), None);
        // "Can't tell you how…" says it beyond words; "not going to tell you how…" disowns.
        let c = first("I can't tell you how much I understand how frustrating this must be");
        assert_eq!(set_aside(&c, &hit(&c, "how frustrating")), None);
        let c = first("I'm not going to tell you how frustrating this must be");
        assert!(set_aside(&c, &hit(&c, "how frustrating")).is_some());
        let c = first("I don't think you're overreacting at all");
        assert!(set_aside(&c, &hit(&c, "overreacting")).is_some());
        // What follows "why" after a verb of knowing is given, not negated.
        let c = first("I'm not sure why you keep ringing about it");
        assert_eq!(set_aside(&c, &hit(&c, "you keep ringing")), None);
        let c = first("I don't know why you didn't just check the email");
        assert_eq!(set_aside(&c, &hit(&c, "did not just check")), None);
    }

    #[test]
    fn a_limit_or_a_condition_is_not_the_harm_its_words_name() {
        let c = first("I'm not able to offer compensation, it's only refunds we can do");
        let c2 = clauses("I'm not able to offer compensation, it's only refunds we can do").remove(1);
        assert!(set_aside(&c2, &hit(&c2, "its only")).is_some(), "{c:?}");
        // (said, the phrase, whether it is set aside)
        for (said, phrase, aside) in [
            ("it's just the interest I can freeze, not the fee", "its just the", true),
            (
                "I think it's just the four hour power-off setting",
                "its just the",
                true,
            ),
            (
                "it's just the process, disputes go to billing first",
                "its just the",
                true,
            ),
            (
                "it's just the telly, you don't have to ring every time",
                "its just the",
                false,
            ),
            ("it happens without any warning", "it happens", true),
            ("it happens, don't worry about it", "it happens", false),
        ] {
            let c = first(said);
            assert_eq!(set_aside(&c, &hit(&c, phrase)).is_some(), aside, "{said}");
        }
        let c = first("it's only a passcode, you can reset it");
        assert_eq!(set_aside(&c, &hit(&c, "its only")), None);
        let c = first("I can only let it through unless I know exactly what it's for");
        let mut empathy = hit(&c, "i know exactly what");
        empathy.intent = crate::Intent::AssumptiveEmpathy;
        assert!(set_aside(&c, &empathy).is_some());
        let c = first("honestly I know exactly what you mean");
        let mut empathy = hit(&c, "i know exactly what");
        empathy.intent = crate::Intent::AssumptiveEmpathy;
        assert_eq!(set_aside(&c, &empathy), None);
    }

    #[test]
    fn saying_it_again_is_heard() {
        let said = |t: &str| repeating(&crate::analysis::text::words(t));
        assert_eq!(
            said("like I said, no reader, no unlock").as_deref(),
            Some("like i said")
        );
        assert_eq!(
            said("I've already said I'll split it for you").as_deref(),
            Some("i have already said")
        );
        assert_eq!(said("you said it's only a deposit"), None);
        assert_eq!(said("I said to my manager we should fix this"), None);
    }

    #[test]
    fn words_after_a_phrase_can_disown_it() {
        let c = first("calm down is the last thing I'd say");
        assert!(matches!(
            set_aside(&c, &hit(&c, "calm down")),
            Some(SetAside::Negated(_))
        ));
        let c = first("calm down, that is the last thing");
        assert_eq!(set_aside(&c, &hit(&c, "calm down")), None);
    }

    #[test]
    fn a_negation_does_not_reach_into_a_new_statement() {
        let c = first("nobody rang you and that's on us");
        assert_eq!(set_aside(&c, &hit(&c, "that is on us")), None);
        let c = first("I won't rush you and tell you to calm down");
        assert!(set_aside(&c, &hit(&c, "calm down")).is_some());
    }

    #[test]
    fn a_clause_opening_no_is_not_a_negation() {
        let c = first("no calm down");
        assert_eq!(set_aside(&c, &hit(&c, "calm down")), None);
    }

    #[test]
    fn reports_set_a_phrase_aside() {
        let c = first("you said it's just a dress");
        assert!(matches!(set_aside(&c, &hit(&c, "just a")), Some(SetAside::Reported(_))));
    }

    #[test]
    fn unnegated_phrases_stand() {
        let c = first("honestly it's just a few days");
        assert_eq!(set_aside(&c, &hit(&c, "just a")), None);
    }

    #[test]
    fn refusals_are_read_from_the_shape() {
        assert!(refusal(&first("I'm not permitted to unlock it")).is_some());
        assert!(refusal(&first("we can't waive that fee")).is_some());
        assert!(refusal(&first("I'm afraid I'm unable to change that")).is_some());
        assert!(refusal(&first("I can't imagine how hard this is")).is_none());
        assert!(refusal(&first("rent due today and you can't get in")).is_none());
        assert!(refusal(&first("you can't get a refund on that")).is_some());
        assert!(refusal(&first("I can unlock it now")).is_none());
    }

    #[test]
    fn blaming_questions_are_not_open() {
        assert!(blaming_question(&first("why didn't you ring us sooner")).is_some());
        assert!(blaming_question(&first("so why would you leave it this late")).is_some());
        assert!(blaming_question(&first("how come you didn't check")).is_some());
        assert!(blaming_question(&first("why is Friday so important")).is_none());
        assert!(blaming_question(&first("why did you choose us")).is_none());
    }

    #[test]
    fn taking_back_what_was_just_said_is_heard_with_what_was_meant() {
        assert_eq!(
            correcting("No, sorry, I meant: take your time.").as_deref(),
            Some("take your time.")
        );
        assert_eq!(
            correcting("oh sorry I meant what's the parcel for?").as_deref(),
            Some("what's the parcel for?")
        );
        assert_eq!(correcting("no wait").as_deref(), Some(""));
        assert_eq!(
            correcting("Sorry, let me rephrase that. What happened?").as_deref(),
            Some("What happened?")
        );
        assert_eq!(correcting("no, I can't do that"), None);
        assert_eq!(correcting("sorry, that's our policy"), None);
        assert_eq!(correcting("I mean, it's only a fee"), None);
        assert_eq!(correcting("I'm so sorry I meant to ring you back"), None);
    }
}
