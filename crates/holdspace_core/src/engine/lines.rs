//! Which line the customer says: the one written for the route that led here (the reply
//! just given, or what was heard in it) when there is one, else a line for any route; by
//! band, then by the hidden need's stage. Deterministic: one draw from the session's
//! stream per line.

use rand::RngExt;
use rand::rngs::ChaCha8Rng;

use crate::analysis::intent::Intent;
use crate::engine::events::Answering;
use crate::engine::state::{Band, Disclosure};
use crate::scenario::model::{BandKey, BandLines, Line};

/// What the customer is answering: the reply the turn gave or matched, and the intents
/// heard in it. The opening line answers nothing (`Route::default()`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Route<'a> {
    /// The reply's id, when the turn gave or matched one.
    pub reply: Option<&'a str>,
    /// What was heard in the turn.
    pub intents: &'a [Intent],
}

/// A line picked to be said.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    /// The band key it was written under.
    pub key: BandKey,
    /// Its index under that key (its id is `prefix/key/index`).
    pub index: usize,
    /// The line.
    pub line: Line,
    /// What in the route it answers (`None`: a line for any route).
    pub answering: Option<Answering>,
}

/// What in `route` the line was written to answer, if it answers it; a reply named in
/// `after` is preferred to an intent in `after_intents`. `None` for a line for any route.
pub fn answers(line: &Line, route: Route<'_>) -> Option<Answering> {
    if let Some(reply) = route.reply
        && line.after.iter().any(|a| a == reply)
    {
        return Some(Answering::AfterReply(reply.to_owned()));
    }
    line.after_intents
        .iter()
        .find(|i| route.intents.contains(i))
        .map(|i| Answering::AfterIntent(*i))
}

/// The band keys to look in, nearest first: the band's own, `Any`, then the other bands
/// by distance (calmer first at the same distance).
fn band_order(band: Band) -> Vec<BandKey> {
    let mut order = vec![BandKey::of(band), BandKey::Any];
    let i = band.index();
    for distance in 1..Band::ALL.len() {
        if let Some(calmer) = i.checked_sub(distance).and_then(|j| Band::ALL.get(j)) {
            order.push(BandKey::of(*calmer));
        }
        if let Some(angrier) = Band::ALL.get(i + distance) {
            order.push(BandKey::of(*angrier));
        }
    }
    order
}

/// The lines a route can produce: one band key's list and the indices in it to draw from.
#[derive(Debug, Clone, PartialEq)]
pub struct Pool<'l> {
    /// The band key the lines are written under.
    pub key: BandKey,
    /// That key's lines.
    pub list: &'l [Line],
    /// The indices to draw from, each with what in the route it answers.
    pub choices: Vec<(usize, Option<Answering>)>,
}

/// The lines in `lines` the customer may say after `route`, in this band and stage:
///
/// 1. Lines written for this route (`after`, `after_intents`) whose stage fits, from the
///    nearest band key that has any: those written for the need's stage first, then
///    those naming the reply before those naming an intent.
/// 2. Lines for any route, as lines always were picked: the band's own, else `Any`, else
///    the nearest band with lines (calmer first); among them, those written for the
///    current stage, else those for any stage. These are said when no line is written
///    for the route, and also instead of route lines written for any stage when they are
///    written for the stage the need is at now ("Sorry. I don't normally get like
///    this" once it is out): the stage changes the conversation more than the route.
/// 3. Otherwise (every line is written for other routes) rule 2 over all the lines.
pub fn candidates<'l>(lines: &'l BandLines, band: Band, disclosure: Disclosure, route: Route<'_>) -> Option<Pool<'l>> {
    let order = band_order(band);
    let for_any_route = by_band(lines, &order, disclosure, |l| !l.follows_route());
    if let Some((pool, for_this_stage)) = for_route(lines, &order, disclosure, route)
        && (for_this_stage || !for_any_route.as_ref().is_some_and(|(_, exact)| *exact))
    {
        return Some(pool);
    }
    for_any_route
        .or_else(|| by_band(lines, &order, disclosure, |_| true))
        .map(|(pool, _)| pool)
}

/// Rule 1 of [`candidates`], and whether the lines are written for the current stage.
fn for_route<'l>(
    lines: &'l BandLines,
    order: &[BandKey],
    disclosure: Disclosure,
    route: Route<'_>,
) -> Option<(Pool<'l>, bool)> {
    let stage_fits = |l: &Line| l.disclosure.is_none_or(|d| d == disclosure);
    for key in order {
        let Some(list) = lines.get(key) else { continue };
        let fitting: Vec<(usize, Answering, (bool, bool))> = list
            .iter()
            .enumerate()
            .filter(|(_, l)| stage_fits(l))
            .filter_map(|(i, l)| {
                let answering = answers(l, route)?;
                let rank = (l.disclosure.is_some(), matches!(answering, Answering::AfterReply(_)));
                Some((i, answering, rank))
            })
            .collect();
        let Some(best) = fitting.iter().map(|f| f.2).max() else {
            continue;
        };
        let pool = Pool {
            key: *key,
            list,
            choices: fitting
                .into_iter()
                .filter(|f| f.2 == best)
                .map(|(i, answering, _)| (i, Some(answering)))
                .collect(),
        };
        return Some((pool, best.0));
    }
    None
}

/// Picks the line to say from `lines` (see [`candidates`]). Always draws once from
/// `rng` when there is a line, so the customer's variation stays in step.
pub fn pick_line(
    lines: &BandLines,
    band: Band,
    disclosure: Disclosure,
    route: Route<'_>,
    rng: &mut ChaCha8Rng,
) -> Option<Picked> {
    let pool = candidates(lines, band, disclosure, route)?;
    let (index, answering) = pool.choices.get(rng.random_range(0..pool.choices.len()))?.clone();
    Some(Picked {
        key: pool.key,
        index,
        line: pool.list.get(index)?.clone(),
        answering,
    })
}

/// Rules 2 and 3 of [`candidates`] over the lines `usable` keeps, and whether the lines
/// are written for the current stage.
fn by_band<'l>(
    lines: &'l BandLines,
    order: &[BandKey],
    disclosure: Disclosure,
    usable: impl Fn(&Line) -> bool,
) -> Option<(Pool<'l>, bool)> {
    // The band's own key, then `Any`, then the rest by distance: the order `band_order`
    // gives, which is the order lines have always been looked for in.
    let (key, list, usable) = order.iter().find_map(|key| {
        let list = lines.get(key)?;
        let usable: Vec<usize> = (0..list.len()).filter(|&i| usable(&list[i])).collect();
        (!usable.is_empty()).then_some((*key, list, usable))
    })?;
    let exact: Vec<usize> = usable
        .iter()
        .copied()
        .filter(|&i| list[i].disclosure == Some(disclosure))
        .collect();
    let open: Vec<usize> = usable
        .iter()
        .copied()
        .filter(|&i| list[i].disclosure.is_none())
        .collect();
    let for_this_stage = !exact.is_empty();
    let pool = if for_this_stage {
        exact
    } else if !open.is_empty() {
        open
    } else {
        usable
    };
    let pool = Pool {
        key,
        list,
        choices: pool.into_iter().map(|i| (i, None)).collect(),
    };
    Some((pool, for_this_stage))
}

/// What a customer says, in character, to words they did not catch, where the scenario
/// wrote no `unclear` lines of its own.
pub fn not_heard_line(band: Band) -> &'static str {
    match band {
        Band::Calm | Band::Uneasy => "Sorry, I didn't catch that. Say again?",
        Band::Frustrated => "Sorry, you what?",
        Band::Angry | Band::Hostile => "What? Speak up.",
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn line(text: &str) -> Line {
        Line {
            text: text.to_owned(),
            ..Line::default()
        }
    }

    fn pick(lines: &BandLines, band: Band, route: Route<'_>) -> Picked {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        pick_line(lines, band, Disclosure::Hidden, route, &mut rng).expect("a line")
    }

    /// The step from the issue: the order number follows a question for it, and a
    /// paraphrase gets a line that answers the paraphrase.
    fn details() -> BandLines {
        let mut for_paraphrase = line("Yes, that's it. It's H X 4 4 7 1, if you need it.");
        for_paraphrase.after = vec!["paraphrase_late".to_owned()];
        let mut for_blame = line("Don't you put this on me.");
        for_blame.after_intents = vec![Intent::Blame];
        BandLines::from([
            (
                BandKey::Uneasy,
                vec![line("H X 4 4 7 1. Look, it's fine."), for_paraphrase],
            ),
            (BandKey::Any, vec![for_blame]),
        ])
    }

    #[test]
    fn a_line_written_for_the_reply_answers_it() {
        let intents = [Intent::Paraphrase];
        let route = Route {
            reply: Some("paraphrase_late"),
            intents: &intents,
        };
        let picked = pick(&details(), Band::Uneasy, route);
        assert_eq!(picked.index, 1);
        assert_eq!(picked.answering, Some(Answering::AfterReply("paraphrase_late".into())));
    }

    #[test]
    fn other_routes_get_the_line_for_any_route() {
        let intents = [Intent::ClosedQuestion];
        let route = Route {
            reply: Some("order_number"),
            intents: &intents,
        };
        let picked = pick(&details(), Band::Uneasy, route);
        assert_eq!((picked.key, picked.index, picked.answering), (BandKey::Uneasy, 0, None));
        // The opening turn has no route at all.
        assert_eq!(pick(&details(), Band::Uneasy, Route::default()).index, 0);
    }

    #[test]
    fn a_line_for_an_intent_comes_from_any_key_the_band_can_borrow() {
        let intents = [Intent::Blame, Intent::OpenQuestion];
        let route = Route {
            reply: None,
            intents: &intents,
        };
        let picked = pick(&details(), Band::Uneasy, route);
        assert_eq!(picked.key, BandKey::Any);
        assert_eq!(picked.answering, Some(Answering::AfterIntent(Intent::Blame)));
    }

    #[test]
    fn among_route_lines_the_stage_then_the_reply_named_decide() {
        let mut by_intent = line("by intent");
        by_intent.after_intents = vec![Intent::Paraphrase];
        let mut by_reply = line("by reply");
        by_reply.after = vec!["p".to_owned()];
        let mut by_reply_hinted = line("by reply, hinted");
        by_reply_hinted.after = vec!["p".to_owned()];
        by_reply_hinted.disclosure = Some(Disclosure::Hinted);
        let lines = BandLines::from([(BandKey::Any, vec![by_intent, by_reply, by_reply_hinted])]);
        let intents = [Intent::Paraphrase];
        let route = Route {
            reply: Some("p"),
            intents: &intents,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let hidden = pick_line(&lines, Band::Calm, Disclosure::Hidden, route, &mut rng).expect("a line");
        assert_eq!(hidden.line.text, "by reply");
        let hinted = pick_line(&lines, Band::Calm, Disclosure::Hinted, route, &mut rng).expect("a line");
        assert_eq!(hinted.line.text, "by reply, hinted");
    }

    #[test]
    fn a_line_for_the_stage_the_need_is_at_comes_before_a_route_line_for_any_stage() {
        let mut for_reply = line("Express. Right. Will it be here by Friday?");
        for_reply.after_intents = vec![Intent::Solution];
        let mut out = line("Sorry. I don't normally get like this.");
        out.disclosure = Some(Disclosure::Revealed);
        let mut for_reply_out = line("Thank you. Please make sure it's there.");
        for_reply_out.after_intents = vec![Intent::Solution];
        for_reply_out.disclosure = Some(Disclosure::Revealed);
        let intents = [Intent::Solution];
        let route = Route {
            reply: Some("send_express"),
            intents: &intents,
        };
        let said = |lines: &BandLines, stage| {
            let mut rng = ChaCha8Rng::seed_from_u64(3);
            pick_line(lines, Band::Frustrated, stage, route, &mut rng)
                .expect("a line")
                .line
                .text
        };
        let lines = BandLines::from([(BandKey::Any, vec![for_reply.clone(), out.clone()])]);
        assert_eq!(said(&lines, Disclosure::Hinted), for_reply.text);
        assert_eq!(said(&lines, Disclosure::Revealed), out.text);
        let lines = BandLines::from([(BandKey::Any, vec![for_reply, out, for_reply_out.clone()])]);
        assert_eq!(said(&lines, Disclosure::Revealed), for_reply_out.text);
    }

    #[test]
    fn lines_only_for_other_routes_are_still_said_rather_than_nothing() {
        let mut only = line("only for p");
        only.after = vec!["p".to_owned()];
        let lines = BandLines::from([(BandKey::Any, vec![only])]);
        let picked = pick(&lines, Band::Angry, Route::default());
        assert_eq!((picked.index, picked.answering), (0, None));
    }

    #[test]
    fn without_route_lines_the_pick_and_the_draw_are_as_before() {
        // Lines for any route are picked from the same pool with the same single draw as
        // before routes existed, so old records replay byte for byte.
        let lines = BandLines::from([(BandKey::Frustrated, vec![line("a"), line("b"), line("c")])]);
        for seed in 0..20 {
            let mut ours = ChaCha8Rng::seed_from_u64(seed);
            let mut plain = ChaCha8Rng::seed_from_u64(seed);
            let picked =
                pick_line(&lines, Band::Angry, Disclosure::Hidden, Route::default(), &mut ours).expect("a line");
            assert_eq!(picked.index, plain.random_range(0..3usize));
            assert_eq!(ours.random_range(0..1000u32), plain.random_range(0..1000u32));
        }
    }
}
