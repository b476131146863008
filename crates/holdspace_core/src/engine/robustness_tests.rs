//! Property tests: no input an author or a trainee can produce makes the core panic,
//! and the customer's state always stays a valid number in range.

use std::sync::Arc;

use proptest::prelude::*;

use crate::analysis::lexicon::Lexicon;
use crate::analysis::{Delivery, TurnInput};
use crate::engine::{Mode, Session};
use crate::scenario::load::check;

const SHIPPED: &str = include_str!("../../../../scenarios/delivery_bereavement.ron");

fn loaded() -> Arc<crate::LoadedScenario> {
    Arc::new(
        check(SHIPPED, &Lexicon::builtin())
            .scenario
            .expect("the shipped scenario loads"),
    )
}

/// Words that exercise the analyser: lexicon phrases, reply words, fillers and noise.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("calm down".to_owned()),
        Just("take your time".to_owned()),
        Just("that must be really frustrating".to_owned()),
        Just("it's our policy".to_owned()),
        Just("what's happening on friday?".to_owned()),
        Just("so you need it by friday".to_owned()),
        Just("um".to_owned()),
        Just("you know".to_owned()),
        Just("I'm sorry.".to_owned()),
        "[a-zA-Z'’?!.,; é\u{1F600}]{0,12}",
    ]
}

fn float() -> impl Strategy<Value = Option<f32>> {
    prop_oneof![
        Just(None),
        Just(Some(f32::NAN)),
        Just(Some(f32::INFINITY)),
        Just(Some(f32::NEG_INFINITY)),
        any::<f32>().prop_map(Some),
        (-60.0f32..300.0).prop_map(Some)
    ]
}

fn turn() -> impl Strategy<Value = TurnInput> {
    (
        prop::collection::vec(word(), 0..6),
        prop_oneof![
            Just(None),
            Just(Some("ask_friday".to_owned())),
            Just(Some("guarantee_and_call".to_owned())),
            Just(Some("anything_else".to_owned())),
            "[a-z_]{0,10}".prop_map(Some),
        ],
        float(),
        float(),
        float(),
        any::<bool>(),
        prop::option::of(any::<u32>()),
    )
        .prop_map(
            |(words, chosen_option, wpm, db, pause, interrupted, fillers)| TurnInput {
                text: words.join(" "),
                chosen_option,
                delivery: Delivery {
                    words_per_min: wpm,
                    loudness_db: db,
                    pause_before_s: pause,
                    interrupted,
                    fillers,
                    ..Delivery::default()
                },
                confidence: None,
                understanding: None,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_the_checker(text in "\\PC{0,400}") {
        let _ = check(&text, &Lexicon::builtin());
    }

    #[test]
    fn damaged_scenarios_never_panic_the_checker(cut in 0usize..SHIPPED.len(), len in 0usize..40, insert in "[\\[\\](){}:,\"a-z0-9 ]{0,6}") {
        let mut text = SHIPPED.to_owned();
        let start = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        let end = (start + len..=text.len()).find(|i| text.is_char_boundary(*i)).unwrap_or(text.len());
        text.replace_range(start..end, &insert);
        let checked = check(&text, &Lexicon::builtin());
        for d in &checked.diagnostics {
            let _ = d.render("damaged.ron", &text);
        }
    }

    #[test]
    fn arbitrary_turns_never_panic_and_keep_state_in_range(seed in any::<u64>(), open in any::<bool>(), turns in prop::collection::vec(turn(), 0..16)) {
        let mode = if open { Mode::Open } else { Mode::Guided };
        let (mut session, _) = Session::new(loaded(), seed, mode);
        for t in turns {
            let _ = session.respond(t);
            prop_assert!((0.0..=1.0).contains(&session.escalation()), "escalation {}", session.escalation());
            prop_assert!((0.0..=1.0).contains(&session.trust()), "trust {}", session.trust());
        }
        let record = session.record();
        let _ = crate::Debrief::build(session.scenario(), &record);
        prop_assert!(serde_json::to_string(&record).is_ok());
    }
}
