//! Statements that disown a harm by their shape, so that the sentence encoder's reading
//! of the harm's words does not count against the trainee.
//!
//! The encoder reads "I'm not putting you on hold and I'm not passing you on" as a
//! transfer or a wall: it sees the words of the harm, not the "not". The lexicon's scope
//! (`scope::set_aside`) catches a negated phrase it knows; this catches the shape whatever
//! the words after it: the trainee saying what they will not do to the customer ("I won't
//! rush you", "nobody's going to…"), freeing the customer of something ("you don't have to
//! tell me", "you're not a nuisance", "none of this is your fault"). A refusal of what the
//! customer wants ("I won't waive it", "I'm not able to unlock it", "we won't keep booking
//! visits") is not disowning: it is the wall. Neither is the customer's own word reported
//! back: "you said it doesn't matter, so I'll treat it like any other order" turns their
//! words on them, and the lexicon's scope already sets a reported phrase aside.
//!
//! The unit is a statement: a clause, cut again where "and", "so" or "because" opens a new
//! subject ("I'm not rushing you and that's the process" disowns only its first half).

use crate::analysis::scope::{ACTIONS, JOINERS, SUBJECTS, refusal};
use crate::analysis::text::{Clause, clauses};

/// Words that may open a statement without changing what it does.
const OPENERS: &[&str] = &[
    "and", "aw", "because", "but", "cause", "erm", "hey", "honestly", "listen", "look", "nah", "now", "oh", "ok",
    "okay", "right", "so", "um", "well", "yeah",
];

/// Words a spoken statement may be made of and say nothing ("and", "I mean", "y'know").
const FILLING: &[&str] = &["i", "kind", "know", "like", "mean", "of", "sort", "uh", "you", "yknow"];

/// The trainee saying what they will not do ("I'm not going to…", "I won't…").
const WILL_NOT: &[&[&str]] = &[
    &["i", "am", "not", "going", "to"],
    &["i", "am", "never", "going", "to"],
    &["i", "will", "not"],
    &["i", "will", "never"],
    &["i", "would", "not"],
    &["i", "would", "never"],
    &["ill", "not"],
    &["ill", "never"],
    &["id", "never"],
    &["id", "not"],
    &["i", "do", "not", "want", "to"],
    &["i", "am", "not", "here", "to"],
    &["we", "are", "not", "going", "to"],
    &["we", "will", "not"],
    &["we", "would", "never"],
    &["nobody", "is", "going", "to"],
    &["nobodys", "going", "to"],
    &["no", "one", "is", "going", "to"],
    &["no", "ones", "going", "to"],
    &["nobody", "will"],
    &["no", "one", "will"],
    &["nobody", "is", "saying"],
    &["nobodys", "saying"],
    &["no", "one", "is", "saying"],
    &["no", "ones", "saying"],
    &["nobody", "is", "blaming"],
    &["nobodys", "blaming"],
    &["no", "one", "is", "blaming"],
    &["i", "did", "not", "mean", "to"],
    &["i", "do", "not", "mean", "to"],
    &["there", "is", "no", "excuse"],
];

/// Freeing the customer of something, or of blame.
const RELEASE: &[&[&str]] = &[
    &["you", "do", "not", "have", "to"],
    &["you", "do", "not", "need", "to"],
    &["you", "need", "not"],
    &["you", "have", "nothing", "to"],
    &["you", "have", "not", "done", "anything"],
    &["you", "did", "not", "do", "anything"],
    &["you", "have", "done", "nothing"],
    &["you", "never", "need", "a", "reason"],
    &["nobody", "should", "have", "to"],
    &["no", "one", "should", "have", "to"],
    &["you", "are", "not", "a", "nuisance"],
    &["you", "are", "not", "a", "bother"],
    &["you", "are", "never", "a"],
    &["you", "could", "never", "be", "a"],
    &["you", "are", "not", "a", "pest"],
    &["you", "are", "not", "a", "burden"],
    &["you", "are", "not", "being", "a"],
    &["you", "are", "not", "in", "trouble"],
    &["you", "are", "not", "taking", "up"],
    &["you", "are", "not", "keeping", "me"],
    &["you", "are", "not", "wasting"],
    &["you", "are", "not", "bothering"],
    &["you", "will", "not", "bother"],
    &["you", "are", "not", "going", "too"],
    &["you", "are", "not", "rattling"],
    &["you", "are", "not", "to", "blame"],
    &["it", "is", "not", "your", "fault"],
    &["that", "is", "not", "your", "fault"],
    &["this", "is", "not", "your", "fault"],
    &["none", "of", "this", "is", "your", "fault"],
    &["you", "should", "not", "have", "to"],
    &["you", "should", "not", "have", "had", "to"],
    &["you", "should", "not", "need", "to"],
    &["it", "is", "not", "your", "job"],
    &["that", "is", "not", "your", "job"],
    &["its", "not", "your", "job"],
    &["it", "is", "not", "up", "to", "you"],
    &["its", "not", "up", "to", "you"],
    &["it", "should", "not", "be", "up", "to", "you"],
    &["it", "should", "not", "be", "on", "you"],
    // The customer's call is no burden ("it's no trouble at all that you've rung").
    &["it", "is", "no", "trouble"],
    &["its", "no", "trouble"],
    &["its", "never", "any", "trouble"],
    &["no", "trouble", "at", "all"],
    &["it", "is", "no", "bother"],
    &["its", "no", "bother"],
    &["no", "bother", "at", "all"],
    &["its", "never", "a"],
    &["it", "is", "never", "a"],
    &["you", "will", "not", "have", "to"],
    &["you", "will", "not", "need", "to"],
    &["you", "were", "not", "to", "know"],
    &["you", "would", "not", "have", "known"],
    &["you", "could", "not", "have", "known"],
    // Barriers ruled out: "there's no reason you can't pay it today".
    &["there", "is", "no", "reason", "you", "can", "not"],
    &["there", "is", "no", "reason", "why", "you", "can", "not"],
    &["there", "is", "no", "reason", "we", "can", "not"],
    &["there", "is", "no", "reason", "why", "we", "can", "not"],
    // A reproach ruled out: "there's no such thing as ringing too often".
    &["there", "is", "no", "such", "thing", "as"],
    // What anyone would feel, said as theirs to feel: "nobody wants a surprise like
    // that", "I'm not surprised you don't believe it".
    &["nobody", "wants"],
    &["no", "one", "wants"],
    &["nobody", "likes"],
    &["no", "one", "likes"],
    &["i", "am", "not", "surprised"],
];

/// What the customer may be told not to do that is itself a reproach ("you don't have
/// to shout"): freeing them of these is not disowning anything.
const REPROACHES: &[&str] = &[
    "abusive",
    "aggressive",
    "angry",
    "attitude",
    "bite",
    "cross",
    "dramatic",
    "emotional",
    "fuss",
    "overreact",
    "panic",
    "raise",
    "rude",
    "shout",
    "stress",
    "swear",
    "tone",
    "upset",
    "worked",
    "worry",
    "yell",
];

/// Words between "I won't" and its verb ("I won't just keep booking…").
const PASSING: &[&str] = &[
    "carry", "continue", "even", "ever", "just", "keep", "on", "really", "to",
];

/// Verbs refused with "you" after them that still refuse the customer something ("I won't
/// give you a refund").
const GIVING: &[&str] = &["give", "get", "offer", "refund", "credit", "compensate"];

/// What the trainee may say they will not give or make the customer that is itself a
/// harm ("I won't give you the usual spiel", "I won't make excuses"): refusing these is
/// disowning, not a wall.
const UNWELCOME: &[&str] = &[
    "excuse",
    "excuses",
    "grief",
    "hassle",
    "jargon",
    "lecture",
    "runaround",
    "script",
    "speech",
    "spiel",
    "usual",
    "waffle",
];

/// One statement of a reply: its words, and the words that disowned it, if it disowns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Lower-case normalised words.
    pub words: Vec<String>,
    /// The words that made it disown a harm ("i will not"), if they did.
    pub disowns: Option<String>,
    /// Whether it says what the trainee will not do ("I won't just say sorry again"): its
    /// words name a move that is not made, so they are not said as one.
    pub refrains: bool,
}

impl Statement {
    /// Its words as one text, for the encoder to read alone.
    pub fn text(&self) -> String {
        self.words.join(" ")
    }
}

/// The statements of `text`, in order, each with whether it disowns.
pub fn statements(text: &str) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    // Whether each statement opens a clause after "but" or "though".
    let mut contrasts = Vec::new();
    let all = clauses(text);
    for (k, clause) in all.iter().enumerate() {
        let refuses = refusal(clause).is_some();
        // "I can't promise Friday, but I'll chase it myself": honest about a limit before
        // what the trainee will do. Without the "but…" ("I can't guarantee anyone'll
        // call, that's not down to me") the limit is the whole answer: a wall.
        let but_after = all[k + 1..].iter().any(|c| c.after_contrast && refusal(c).is_none());
        for (j, words) in split(clause).into_iter().enumerate() {
            let disowns = if refuses {
                None
            } else if but_after && let Some(limit) = honest_limit(words) {
                Some(limit)
            } else if let Some(saying) = not_saying(words) {
                // "I'm not saying it's your fault" disowns; "I'm not saying you're lying,
                // but it shows as delivered" announces what the "but" says.
                (!but_after).then_some(saying)
            } else {
                disowning(words).or_else(|| continued(words, out.last()))
            };
            let refrains = disowns.as_deref().is_some_and(refraining);
            contrasts.push(clause.after_contrast && j == 0);
            out.push(Statement {
                words: words.to_vec(),
                disowns,
                refrains,
            });
        }
    }
    for r in 0..out.len() {
        if out[r].disowns.is_some() {
            continue;
        }
        // The next statement that says something ("…, and, I mean, it kind of sounds
        // like it does"): a "but" before it counts wherever it fell.
        let Some(n) = (r + 1..out.len()).find(|&n| !filling(&out[n].words)) else {
            continue;
        };
        let contrast = contrasts[r + 1..=n].iter().any(|c| *c);
        let (before, next) = (&out[r].words, &out[n].words);
        // What the customer said: only their playing it down, doubted, is disowned.
        let theirs =
            reporting(before, CUSTOMER_SAID).filter(|_| played_down(before) && (contrast || contradicting(next)));
        // What they were told: doubted, or said not to have happened ("they kept telling
        // you billing would ring, and they never did").
        let told = reporting(before, TOLD_YOU)
            .filter(|_| contrast || contradicting(next) || next.iter().any(|w| NEGATIONS.contains(&w.as_str())));
        if let Some(frame) = theirs.or(told) {
            out[r].disowns = Some(format!("{frame} …, but"));
        }
    }
    out
}

/// A statement's words after the ones that open it without changing it ([`OPENERS`]).
fn past_openers(words: &[String]) -> &[String] {
    let skip = words.iter().take_while(|w| OPENERS.contains(&w.as_str())).count();
    words.get(skip..).unwrap_or_default()
}

/// Whether `words` begin with `pattern`.
fn opens_with(words: &[String], pattern: &[&str]) -> bool {
    words.len() >= pattern.len() && words.iter().zip(pattern).all(|(a, b)| a == b)
}

/// Whether a statement is only spoken filling ("and", "I mean", "y'know").
fn filling(words: &[String]) -> bool {
    words
        .iter()
        .all(|w| OPENERS.contains(&w.as_str()) || FILLING.contains(&w.as_str()))
}

/// Words that say something did not happen or is not so.
const NEGATIONS: &[&str] = &["never", "nobody", "not", "nothing"];

/// The frame of `frames` in a statement's first words, if one is there.
fn reporting(words: &[String], frames: &[&[&str]]) -> Option<String> {
    let head = past_openers(words);
    let head = head.get(..head.len().min(5)).unwrap_or_default();
    frames
        .iter()
        .find(|frame| {
            head.windows(frame.len())
                .any(|w| w.iter().zip(frame.iter()).all(|(a, b)| a == b))
        })
        .map(|frame| frame.join(" "))
}

/// Whether a reported statement has the customer playing their problem down ("you said
/// it's nothing", "you keep saying it's fine", "you said it doesn't matter why"): doubting
/// that hears more behind it. Doubting a claim ("you say you paid on time, but it's
/// showing a returned payment") disputes the customer, which is another move.
fn played_down(words: &[String]) -> bool {
    words.iter().any(|w| PLAYED_DOWN.contains(&w.as_str()))
}

/// The words of a customer playing their problem down.
const PLAYED_DOWN: &[&str] = &[
    "alright", "bother", "daft", "fine", "just", "matter", "nothing", "ok", "okay", "only", "silly",
];

/// Frames that report what the customer said (see [`reporting`]).
const CUSTOMER_SAID: &[&[&str]] = &[
    &["you", "said"],
    &["you", "say"],
    &["you", "keep", "saying"],
    &["you", "mentioned"],
    &["you", "told", "me"],
];

/// Frames that report what the customer was told by others.
const TOLD_YOU: &[&[&str]] = &[
    &["you", "were", "told"],
    &["you", "have", "been", "told"],
    &["you", "got", "told"],
    &["told", "you"],
    &["telling", "you"],
    &["they", "said"],
    &["someone", "said"],
];

/// What opens a statement that doubts the one before ("…, and I'm not sure it is").
const DOUBTING: &[&[&str]] = &[
    &["i", "do", "not", "accept"],
    &["i", "am", "not", "sure"],
    &["i", "am", "not", "convinced"],
    &["i", "do", "not", "think"],
    &["i", "do", "not", "believe"],
    &["it", "does", "not", "sound"],
    &["that", "does", "not", "sound"],
    &["it", "does", "not", "seem"],
];

/// Whether a statement doubts the one before it.
fn contradicting(words: &[String]) -> bool {
    let core = past_openers(words);
    // "It kind of sounds like it does", "I think it might": what was played down, said to
    // be so after all.
    let seeming = core
        .iter()
        .any(|w| matches!(w.as_str(), "sounds" | "sound" | "seems" | "think" | "feels" | "looks"));
    let affirmed = matches!(
        core,
        [.., it, verb] if it == "it" && matches!(verb.as_str(), "does" | "is" | "might" | "matters" | "did" | "was" | "could")
    );
    (seeming && affirmed) || DOUBTING.iter().any(|d| opens_with(core, d))
}

/// "I'm not saying…": the words, when the statement opens on them.
fn not_saying(words: &[String]) -> Option<String> {
    let frame = ["i", "am", "not", "saying"];
    opens_with(past_openers(words), &frame).then(|| frame.join(" "))
}

/// Whether the words that disowned a statement are the trainee's own "will not" ("i will
/// not", "i am not going to", "i am not" before what they are not doing).
fn refraining(disowns: &str) -> bool {
    disowns == "i am not" || WILL_NOT.iter().any(|p| p.join(" ") == disowns)
}

/// "I wouldn't call that small, not for one late payment", "I won't rush you, never":
/// a statement with no subject that opens on "not" or "never" carries on the negation
/// before it, and disowns what that one disowned.
fn continued(words: &[String], before: Option<&Statement>) -> Option<String> {
    let opens = past_openers(words).first().is_some_and(|w| w == "not" || w == "never");
    before.and_then(|b| b.disowns.clone()).filter(|_| opens)
}

/// A clause cut where a joining word opens a new subject.
fn split(clause: &Clause) -> Vec<&[String]> {
    let w = &clause.words;
    let mut cuts = vec![0];
    for i in 1..w.len().saturating_sub(1) {
        if JOINERS.contains(&w[i].as_str()) && SUBJECTS.contains(&w[i + 1].as_str()) {
            cuts.push(i);
        }
    }
    cuts.push(w.len());
    cuts.windows(2)
        .filter_map(|c| w.get(c[0]..c[1]))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The words that make a statement disown a harm, if it does.
pub fn disowning(words: &[String]) -> Option<String> {
    let skip = words
        .iter()
        .take(3)
        .take_while(|w| OPENERS.contains(&w.as_str()))
        .count();
    let core = words.get(skip..).unwrap_or_default();
    let starts = |pattern: &[&str]| core.len() >= pattern.len() && core.iter().zip(pattern).all(|(a, b)| a == b);
    // "I'm not putting you on hold", "I'm not rushing you": what they are not doing now.
    // ("I'm not being funny, but…" announces a harm rather than disowning one.)
    let doing_now = ["i", "am", "not"];
    let now = starts(&doing_now)
        && core
            .get(3)
            .is_some_and(|v| v.ends_with("ing") && v.len() > 4 && !matches!(v.as_str(), "going" | "being" | "saying"));
    // "Nobody's rushing you", "no one is hurrying you": a harm nobody is doing to them.
    for nobody in [
        &["nobody", "is"][..],
        &["nobodys"],
        &["no", "one", "is"],
        &["no", "ones"],
    ] {
        let doing = core
            .get(nobody.len())
            .is_some_and(|v| v.ends_with("ing") && v.len() > 4 && !matches!(v.as_str(), "going" | "being" | "saying"));
        let to_you = core.iter().skip(nobody.len() + 1).take(3).any(|w| w == "you");
        if starts(nobody) && doing && to_you {
            return Some(nobody.join(" "));
        }
    }
    let will_not = WILL_NOT.iter().find(|p| starts(p)).map(|p| p.len());
    if let Some(len) = will_not.or(now.then_some(doing_now.len())) {
        let rest = core.get(len..).unwrap_or_default();
        // "nobody's going to rush you" disowns a harm done to the customer; "nobody's going
        // to lose a flat over one payment" promises an outcome, which is another move.
        if core
            .first()
            .is_some_and(|w| matches!(w.as_str(), "nobody" | "nobodys" | "no"))
            && !rest.iter().take(4).any(|w| w == "you" || w == "your")
        {
            return None;
        }
        // "I won't be able to", "I won't waive it", "I'm not refunding that": a refusal,
        // the wall itself. A harm done to the customer ("put you on hold") is disowned.
        let verb = rest.iter().position(|w| !PASSING.contains(&w.as_str()));
        // "I won't lie to you" means "honestly": it refuses nothing the customer wants, so
        // it is no wall; what follows it in the same statement is read on its own terms.
        if let Some(at) = verb.filter(|at| rest[*at] == "lie") {
            let candour = rest[at + 1..]
                .iter()
                .all(|w| matches!(w.as_str(), "to" | "you" | "though" | "honestly" | "mate" | "love"));
            return candour.then(|| format!("{} lie", core[..len].join(" ")));
        }
        // "I wouldn't worry", "I'd not stress about it": advice not to feel it, which
        // makes little of it, not something the trainee holds back from doing.
        let advice = matches!(core[..len].join(" ").as_str(), "i would not" | "id not")
            && rest
                .iter()
                .find(|w| !PASSING.contains(&w.as_str()))
                .is_some_and(|v| REPROACHES.iter().any(|r| v.starts_with(r)));
        if advice {
            return None;
        }
        let refuses = rest.first().is_some_and(|w| w == "be")
            || verb.is_some_and(|at| {
                let v = rest[at].as_str();
                let to_you = rest.get(at + 1).is_some_and(|n| n == "you");
                let unwelcome = rest
                    .iter()
                    .skip(at + 1)
                    .take(4)
                    .any(|w| UNWELCOME.contains(&w.as_str()));
                is_action(v) && (!to_you || GIVING.contains(&v)) && !unwelcome
            });
        return (!refuses).then(|| core[..len].join(" "));
    }
    // "No more excuses", "no call backs, I'm refunding it myself": the harm named and
    // ruled out.
    let ruled_out = if core.get(1).is_some_and(|w| w == "more") { 2 } else { 1 };
    if core.first().is_some_and(|w| w == "no")
        && core.get(ruled_out).is_some_and(|w| {
            UNWELCOME.contains(&w.as_str())
                || matches!(w.as_str(), "callbacks" | "promises" | "transfers")
                || (w == "call" && core.get(ruled_out + 1).is_some_and(|b| b == "backs"))
        })
    {
        return Some(core[..=ruled_out].join(" "));
    }
    // "No passing you to billing this time".
    if let [no, doing, you, ..] = core
        && no == "no"
        && doing.ends_with("ing")
        && you == "you"
    {
        return Some(format!("no {doing}"));
    }
    // "I don't think any of this is your fault", "that's not on you".
    for fault in [&["your", "fault"][..], &["on", "you"], &["to", "blame"]] {
        let at = core
            .windows(fault.len())
            .position(|w| w.iter().zip(fault).all(|(a, b)| a == b));
        if let Some(negator) = at.and_then(|at| {
            core[..at]
                .iter()
                .find(|w| matches!(w.as_str(), "not" | "never" | "nobody" | "none"))
        }) {
            return Some(format!("{negator} … {}", fault.join(" ")));
        }
    }
    // Statements that take the customer's side by their shape, each a function below.
    let shapes: [fn(&[String]) -> Option<String>; 6] = [
        not_foolish,
        not_about_the_thing,
        siding,
        nothing_wrong,
        not_small,
        not_just,
    ];
    if let Some(words) = shapes.iter().find_map(|shape| shape(core)) {
        return Some(words);
    }
    if let Some(p) = RELEASE.iter().find(|p| starts(p)) {
        let reproach = core.iter().any(|w| REPROACHES.iter().any(|r| w.starts_with(r)));
        return (!reproach).then(|| p.join(" "));
    }
    None
}

/// "I can't promise…", "we couldn't guarantee…": the trainee honest about a limit.
fn honest_limit(words: &[String]) -> Option<String> {
    match past_openers(words) {
        [subject, can, not, promise, ..]
            if matches!(subject.as_str(), "i" | "we")
                && matches!(can.as_str(), "can" | "could")
                && not == "not"
                && matches!(promise.as_str(), "promise" | "guarantee") =>
        {
            Some(format!("{subject} {can} not {promise}"))
        }
        _ => None,
    }
}

/// What the customer may fear they are, or their call is, and be told they are not.
const FOOLISH: &[&str] = &[
    "daft",
    "dumb",
    "petty",
    "ridiculous",
    "silly",
    "stupid",
    "trivial",
    "unreasonable",
];

/// "It's not silly at all to ring", "there's nothing daft about asking for help", "you're
/// not being unreasonable": telling the customer their call or question is not foolish
/// frees them; it does not make little of them, whatever the encoder makes of "silly".
/// "Don't be silly" is the brush-off (an order, not a statement), and "I'm not being
/// funny, but…" speaks of the trainee: neither is this.
fn not_foolish(core: &[String]) -> Option<String> {
    if core.first().is_some_and(|w| w == "i") {
        return None;
    }
    for (i, w) in core.iter().enumerate() {
        if !matches!(w.as_str(), "not" | "nothing" | "never") {
            continue;
        }
        let order = i > 0 && core[i - 1] == "do" && core.get(i + 1).is_some_and(|b| b == "be");
        if order {
            continue;
        }
        if let Some(f) = core.iter().skip(i + 1).take(3).find(|f| FOOLISH.contains(&f.as_str())) {
            return Some(format!("{w} … {f}"));
        }
    }
    None
}

/// "It's not about the sixty-three quid for you", "this isn't really about the deposit":
/// the trainee saying the thing the customer named is not what matters to them, which
/// notices more behind it; the encoder reads the small sum or thing and hears the
/// trainee make little of it. Only a thing ("the", "a", "your" or a number after
/// "about"): "it's not about what you want" dismisses the customer and is no such
/// reading.
fn not_about_the_thing(core: &[String]) -> Option<String> {
    // "it's" stays one word ("its"); "this isn't" is "this is not".
    let (subject, rest) = match core {
        [its, not, rest @ ..] if its == "its" && not == "not" => ("it", rest),
        [subject, is, not, rest @ ..]
            if matches!(subject.as_str(), "it" | "this" | "that") && is == "is" && not == "not" =>
        {
            (subject.as_str(), rest)
        }
        _ => return None,
    };
    let hedges = rest
        .iter()
        .take_while(|w| matches!(w.as_str(), "really" | "just" | "only" | "all"))
        .count();
    match rest.get(hedges..).unwrap_or_default() {
        [about, thing, ..]
            if about == "about"
                && (matches!(thing.as_str(), "the" | "a" | "your" | "those" | "that")
                    || thing.chars().all(|c| c.is_ascii_digit())) =>
        {
            Some(format!("{subject} is not about {thing}"))
        }
        _ => None,
    }
}

/// "That's just not on", "that isn't acceptable", "that's not right": a verdict on what
/// was done to the customer, on their side; the encoder hears the "just" and the "not"
/// and reads a brush-off.
fn siding(core: &[String]) -> Option<String> {
    let [subject, is, rest @ ..] = core else {
        return None;
    };
    if !matches!(subject.as_str(), "that" | "this" | "it") || is != "is" {
        return None;
    }
    let hedges = rest
        .iter()
        .take_while(|w| matches!(w.as_str(), "just" | "really" | "simply" | "so" | "absolutely"))
        .count();
    let [not, verdict, tail @ ..] = rest.get(hedges..).unwrap_or_default() else {
        return None;
    };
    // "It's not on the system", "it's not good news", "it's not okay to shout": not verdicts.
    let fits = match verdict.as_str() {
        "on" => tail
            .iter()
            .all(|w| matches!(w.as_str(), "at" | "all" | "really" | "is" | "it")),
        "good" => tail.first().is_some_and(|w| w == "enough"),
        "acceptable" | "right" | "fair" | "okay" | "ok" => tail.first().is_none_or(|w| w != "to"),
        _ => false,
    };
    (not == "not" && fits).then(|| format!("{subject} is not {verdict}"))
}

/// "You haven't done a single thing wrong", "you did nothing wrong", "there's nothing
/// wrong with asking": the customer told they are not at fault for what they did or
/// asked. ("There's nothing wrong with the box" is a finding, not this: only a doing
/// after "with".)
fn nothing_wrong(core: &[String]) -> Option<String> {
    let wrong = core.iter().position(|w| w == "wrong")?;
    let before = &core[..wrong];
    let negator = before
        .iter()
        .rev()
        .find(|w| matches!(w.as_str(), "not" | "nothing" | "never"))?;
    let done = before.first().is_some_and(|w| w == "you")
        && before.iter().any(|w| matches!(w.as_str(), "done" | "do" | "did"));
    let asking = before.last() == Some(negator)
        && negator == "nothing"
        && core.get(wrong + 1).is_some_and(|w| w == "with")
        && core
            .get(wrong + 2)
            .is_some_and(|w| (w.ends_with("ing") && w.len() > 4) || w == "that");
    (done || asking).then(|| format!("{negator} … wrong"))
}

/// Words that make a thing small: saying the customer's problem is *not* one of these
/// takes it seriously ("nineteen years isn't a small thing", "that's not nothing").
const SMALL: &[&str] = &["little", "minor", "nothing", "petty", "small", "tiny", "trivial"];

/// Words between a negation and what it negates that change nothing ("I don't think
/// it's a small thing", "that's not at all small").
const NEGATED_LEAD: &[&str] = &[
    "a", "all", "an", "at", "exactly", "is", "it", "its", "really", "so", "such", "that", "think", "this", "was",
];

/// The first word `wanted` that a "not" or "never" in `core` negates (past the words of
/// [`NEGATED_LEAD`]), or that "no" is put straight before ("no small thing": a "no"
/// that opens the reply is an answer, "no, it's nothing" makes little of it). Not when
/// the customer is the subject: "you're not just…" and "you can't just…" speak of them.
fn negated_word(core: &[String], wanted: impl Fn(&str) -> bool) -> Option<String> {
    if core.first().is_some_and(|w| w == "you") {
        return None;
    }
    for (i, w) in core.iter().enumerate() {
        let rest = core.get(i + 1..).unwrap_or_default();
        let skip = match w.as_str() {
            "not" | "never" => rest.iter().take_while(|r| NEGATED_LEAD.contains(&r.as_str())).count(),
            "no" => 0,
            _ => continue,
        };
        if let Some(hit) = rest.get(skip).filter(|h| wanted(h)) {
            return Some(format!("{w} … {hit}"));
        }
    }
    None
}

/// "Nineteen years isn't a small thing", "I don't think that's nothing", "it's no small
/// amount": the trainee saying the customer's problem is not small takes it seriously;
/// the encoder reads the small words and hears the trainee make little of it. ("It's not
/// a big deal" says the opposite, and is not this.)
fn not_small(core: &[String]) -> Option<String> {
    negated_word(core, |w| SMALL.contains(&w))
}

/// "It's not just a service", "I don't think it's just anything": the trainee hearing
/// more behind what the customer played down. Not when an action follows ("we don't
/// just give refunds" limits what can be done).
fn not_just(core: &[String]) -> Option<String> {
    let at = core
        .iter()
        .position(|w| matches!(w.as_str(), "just" | "only" | "merely"))?;
    let next = core.get(at + 1)?;
    if is_action(next) {
        return None;
    }
    negated_word(core, |w| matches!(w, "just" | "only" | "merely"))
}

/// Whether a verb (or its "-ing" form) is one of the things the trainee could do for the
/// customer ([`ACTIONS`]).
fn is_action(verb: &str) -> bool {
    let base = verb.strip_suffix("ing").filter(|b| b.len() >= 2);
    ACTIONS.contains(&verb)
        || base.is_some_and(|b| {
            ACTIONS.contains(&b)
                || ACTIONS
                    .iter()
                    .any(|a| a.strip_suffix('e') == Some(b) || (a.len() + 1 == b.len() && b.starts_with(a)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disowned(text: &str) -> Vec<Option<String>> {
        statements(text).into_iter().map(|s| s.disowns).collect()
    }

    #[test]
    fn what_the_trainee_will_not_do_disowns() {
        for said in [
            "I'm not going to tell you to calm down",
            "I won't rush you",
            "I'm not putting you on hold",
            "nobody's going to rush you here",
            "no one's saying you should just sit and wait for ten days",
            "I won't pretend to know what the last six months have been like",
            "I'm not going to put you through to anyone else",
            "I'd never blame you for that",
            "I'm not going to give you the usual spiel about couriers",
            "I won't make excuses for the courier",
        ] {
            let d = disowned(said);
            assert!(d.len() == 1 && d[0].is_some(), "{said}: {d:?}");
        }
    }

    #[test]
    fn a_refusal_is_not_disowning() {
        for said in [
            "I won't be able to unlock it",
            "I won't waive the fee",
            "I'm not going to give you a refund",
            "I'm not allowed to let it go through",
            "I'm not refunding that",
            "I can't take it off",
            "it's not a big deal",
            "you're not listening",
            "you don't have to shout",
            "I'm not gonna lie that's just how it works",
            "I'm not being funny it's only a dress",
            "you don't need to get so upset about it",
            "there's no need to get worked up about it",
            "we won't keep booking visits for a fault nobody can find",
            "you said it doesn't matter why",
            "I won't give you a refund on the line rental",
            "nobody's going to lose a flat over one payment",
            "don't be silly",
            "oh don't be daft it's only a dress",
            "I can't guarantee anyone'll call",
            "it's not about what you want, it's the rules",
            "it's not about you",
            "it's not a big deal",
            "no, it's nothing to worry about",
            "we don't just give refunds out",
            "you can't just expect us to refund it",
            "there's nothing wrong with the box from what I can see",
            "you did it wrong, that's why it locked",
            "I'm not saying you're lying, but it shows as delivered to a safe place",
            "I wouldn't worry about it, parcels go walkabout all the time",
            "there's no reason to get upset about it",
            "nobody's going anywhere till this is fixed",
            "it is not on the system yet",
            "it's not okay to shout at me",
            "it's not good news, I'm afraid",
        ] {
            let d = disowned(said);
            assert!(d.iter().all(Option::is_none), "{said}: {d:?}");
        }
    }

    #[test]
    fn freeing_the_customer_disowns() {
        for said in [
            "you don't have to tell me",
            "you're not a nuisance",
            "none of this is your fault",
            "you don't need to start from scratch again",
            "no passing you to billing this time",
            "I don't think any of this is your fault",
            "nobody's blaming you",
            "you shouldn't have had to chase us six times",
            "it's not your job to keep ringing us",
            "you haven't done anything daft",
            "nobody should have to ring six times to get an answer",
            "no call backs, I'm refunding it myself as we speak",
            "no more excuses from us",
            "no, it's not silly at all to ring about it",
            "there's nothing daft about asking for help with a bill that size",
            "you're not being unreasonable",
            "I won't lie to you",
            "you're never a bother, Arthur, I mean that",
            "it's no trouble at all that you've rung",
            "no bother at all, Arthur",
            "it's not about the sixty-three quid for you, is it",
            "this isn't really about the deposit",
            "I can't promise Friday, but I'll chase the courier myself",
            "I wouldn't call sixty-three pounds small",
            "nineteen years isn't a small thing",
            "I don't think that's a small thing at all",
            "six years of paying on time, that's not nothing",
            "it's no small amount",
            "I don't think it's just anything",
            "it's not just a service though, is it",
            "you haven't done a single thing wrong here",
            "there's nothing wrong with asking that",
            "it's never a problem when you ring, Arthur",
            "you won't have to wait any longer",
            "you weren't to know it'd lock after three goes",
            "there's no reason you can't pay it today",
            "there's no such thing as ringing too often, Arthur",
            "nobody wants a surprise like that on their bill",
            "I'm not surprised you don't believe another call back is coming",
            "I'm not saying it's your fault",
            "nah, nobody's rushing you, you take all the time you need",
            "so yeah I'm not surprised that fee's got your back up",
            "and nobody's sorted this, that's just not on",
            "that isn't acceptable",
        ] {
            assert!(disowned(said).iter().any(Option::is_some), "{said}");
        }
    }

    #[test]
    fn a_negation_carried_on_disowns_with_the_statement_before() {
        let d = disowned("I wouldn't call sixty-three pounds small, not for one late payment after six years");
        assert!(d.len() == 2 && d.iter().all(Option::is_some), "{d:?}");
        // Without a disowning statement before it, "not" alone disowns nothing.
        let d = disowned("sorry, not for a returned payment");
        assert!(d.iter().all(Option::is_none), "{d:?}");
    }

    #[test]
    fn what_the_customer_said_then_doubted_disowns_and_used_against_them_does_not() {
        for said in [
            "you said it's nothing, but Jean's clearly a big part of it",
            "you keep saying it's fine, and I'm not sure it is",
            "when you say it's just a service, I don't think it's just anything",
            "they kept telling you billing would ring, and they never did",
            "you've been told it's automatic and can't be changed, I don't accept that",
            "hang on, you said it doesn't really matter why, and, I mean, it kind of sounds like it does",
            "you said it's nothing, but, y'know, Jean setting it all up, that's not nothing",
        ] {
            let d = disowned(said);
            assert!(d.iter().any(Option::is_some), "{said}: {d:?}");
        }
        for said in [
            "you said it doesn't matter, so I'll treat it like any other order",
            "you said yourself it was a bank thing, so that's between you and your bank",
            "you say you paid on time, but the direct debit came back on the third",
            "you say you'll manage but you didn't really manage last month did you",
            "you were told it's ten working days, and that's still the case",
        ] {
            let d = disowned(said);
            assert!(d.iter().all(Option::is_none), "{said}: {d:?}");
        }
    }

    #[test]
    fn a_new_subject_is_a_new_statement() {
        let s = statements("I'm not rushing you and that's just the process, I'm afraid");
        assert_eq!(s.len(), 3, "{s:?}");
        assert!(s[0].disowns.is_some());
        assert!(s[1].disowns.is_none());
        assert_eq!(s[1].text(), "and that is just the process");
        let s = statements("I'm not putting you on hold and I'm not passing you on");
        assert!(s.iter().all(|s| s.disowns.is_some() && s.refrains), "{s:?}");
        let s = statements("I won't just say sorry again, you've had enough of those");
        assert!(s[0].refrains && !s[1].refrains, "{s:?}");
        // Freeing the customer is no move the trainee holds back.
        assert!(!statements("you don't have to explain")[0].refrains);
    }
}
