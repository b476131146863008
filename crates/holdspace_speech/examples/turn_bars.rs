//! For choosing the open microphone's end-of-turn bar: the end-of-turn model's verdict at
//! every check of every pause of the multi-clause set (`turnset`), and, for bars that
//! fall as a silence lengthens, when each turn would be judged over after its last word
//! and how many pauses inside replies would be judged over (each of which only the
//! resume window then saves from being a cut):
//!
//! ```sh
//! cargo run --release -p holdspace_speech --example turn_bars
//! ```

use holdspace_speech::turn::{SmartTurn, default_dir};
use holdspace_speech::turnset;
use holdspace_speech::vad::{Vad, VadConfig, VadEvent};

/// One check at a pause.
struct Check {
    /// Silence so far when the check ran, seconds.
    silence_s: f64,
    /// The model's probability that the turn is complete.
    p: f32,
    /// Seconds from the reply's last word to this check's result.
    after_last_word_s: f64,
}

/// The checks of one reply: at pauses inside it, and at its end.
struct Reply {
    inside: Vec<Vec<Check>>,
    end: Vec<Check>,
    /// Seconds from the last word to the silence cap.
    cap_s: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut model = SmartTurn::open(&default_dir())?;
    let config = VadConfig::open_mic(1200);
    let mut replies = Vec::new();
    for voice in turnset::voices() {
        for (i, clauses) in turnset::REPLIES.iter().enumerate() {
            let said = turnset::say(&voice, clauses, i)?;
            let last_end = said.clause_ends_s.last().copied().unwrap_or_default();
            let mut vad = Vad::new(config);
            let mut reply = Reply {
                inside: Vec::new(),
                end: Vec::new(),
                cap_s: 1.2,
            };
            let mut pause: Vec<Check> = Vec::new();
            for chunk in said.audio.chunks(320) {
                for event in vad.push(chunk) {
                    match event {
                        VadEvent::Paused(so_far) => {
                            let t = std::time::Instant::now();
                            let p = model.complete(&so_far.samples)?;
                            pause.push(Check {
                                silence_s: so_far.detected_s - so_far.speech_end_s,
                                p,
                                after_last_word_s: so_far.detected_s + t.elapsed().as_secs_f64() - last_end,
                            });
                        }
                        VadEvent::Resumed => reply.inside.push(std::mem::take(&mut pause)),
                        VadEvent::Ended(u) => reply.cap_s = u.detected_s - last_end,
                        VadEvent::Started(_) | VadEvent::Dropped => {}
                    }
                }
            }
            reply.end = pause;
            replies.push(reply);
        }
    }
    println!(
        "| bar at 200 ms | falls by, per 100 ms | floor | end of turn p50 | p95 | capped | inside pauses judged over |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (start, step, floor) in [
        (0.5, 0.0, 0.5),
        (0.5, 0.1, 0.2),
        (0.5, 0.1, 0.1),
        (0.5, 0.15, 0.1),
        (0.5, 0.2, 0.1),
        (0.4, 0.1, 0.1),
    ] {
        let bar = |silence_s: f64| -> f32 {
            let steps = ((silence_s - 0.2) / 0.1).round().max(0.0) as f32;
            (start - step * steps).max(floor)
        };
        let mut ends: Vec<f64> = Vec::new();
        let (mut capped, mut early) = (0, 0);
        for r in &replies {
            early += r
                .inside
                .iter()
                .filter(|p| p.iter().any(|c| c.p >= bar(c.silence_s)))
                .count();
            match r.end.iter().find(|c| c.p >= bar(c.silence_s)) {
                Some(c) => ends.push(c.after_last_word_s * 1000.0),
                None => {
                    capped += 1;
                    ends.push(r.cap_s * 1000.0);
                }
            }
        }
        ends.sort_by(f64::total_cmp);
        let at = |q: f64| ends[((ends.len() - 1) as f64 * q).round() as usize];
        let inside: usize = replies.iter().map(|r| r.inside.len()).sum();
        println!(
            "| {start} | {step} | {floor} | {:.0} ms | {:.0} ms | {capped} of {} | {early} of {inside} |",
            at(0.5),
            at(0.95),
            ends.len()
        );
    }
    Ok(())
}
