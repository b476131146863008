//! For choosing the open microphone's end-of-turn schedule: the end-of-turn model's
//! verdict at every check of every pause of the multi-clause set (`turnset`), recorded
//! once, then, for bars that fall as a silence lengthens and resume windows that grow as
//! the verdict is less sure, when each turn would be judged over after its last word and
//! which pauses inside replies would become cuts (judged over, and longer than the
//! window in which the trainee may carry on). Per voice, so a schedule chosen on some
//! voices can be checked on the others:
//!
//! ```sh
//! cargo run --release -p holdspace_speech --example turn_bars [-- --fresh]
//! ```
//!
//! The record is kept in the temporary folder (`holdspace-turn-bars.tsv`); `--fresh`
//! measures it again (after a change to the detector or the model).

use std::fmt::Write as _;

use holdspace_speech::turn::{SmartTurn, default_dir};
use holdspace_speech::turnset;
use holdspace_speech::vad::{Vad, VadConfig, VadEvent};

/// One check at a pause.
#[derive(Clone, Copy)]
struct Check {
    /// Silence so far when the check ran, seconds.
    silence_s: f64,
    /// The model's probability that the turn is complete.
    p: f32,
    /// Seconds from the pause's start (the speech end as the detector heard it) to this
    /// check's result.
    done_s: f64,
}

/// One pause: its checks and, for a pause inside a reply, how long the detector heard it
/// last (speech end to resumption).
struct Pause {
    voice: usize,
    reply: usize,
    inside: bool,
    checks: Vec<Check>,
    /// Inside: the pause's length as heard. End: seconds from the reply's last word to the
    /// detector's speech end (to turn a check's time into time after the last word).
    length_s: f64,
    /// End only: seconds from the last word to the silence cap.
    cap_s: f64,
}

fn record() -> Result<Vec<Pause>, Box<dyn std::error::Error>> {
    let mut model = SmartTurn::open(&default_dir())?;
    let config = VadConfig::open_mic(1200);
    let mut pauses = Vec::new();
    for (v, voice) in turnset::voices().iter().enumerate() {
        eprintln!("turn_bars: {}", voice.label());
        for (i, clauses) in turnset::REPLIES.iter().enumerate() {
            let said = turnset::say(voice, clauses, i)?;
            let last_end = said.clause_ends_s.last().copied().unwrap_or_default();
            let mut vad = Vad::new(config);
            let mut checks: Vec<Check> = Vec::new();
            let mut speech_end_s = 0.0;
            let mut cap_s = 1.2;
            for chunk in said.audio.chunks(320) {
                for event in vad.push(chunk) {
                    match event {
                        VadEvent::Paused(so_far) => {
                            let t = std::time::Instant::now();
                            let p = model.complete(&so_far.samples)?;
                            speech_end_s = so_far.speech_end_s;
                            checks.push(Check {
                                silence_s: so_far.detected_s - so_far.speech_end_s,
                                p,
                                done_s: so_far.detected_s - so_far.speech_end_s + t.elapsed().as_secs_f64(),
                            });
                        }
                        VadEvent::Resumed => {
                            if !checks.is_empty() {
                                pauses.push(Pause {
                                    voice: v,
                                    reply: i,
                                    inside: true,
                                    checks: std::mem::take(&mut checks),
                                    length_s: vad.now_s() - speech_end_s,
                                    cap_s: 0.0,
                                });
                            }
                        }
                        VadEvent::Ended(u) => cap_s = u.detected_s - last_end,
                        VadEvent::Started(_) | VadEvent::Dropped => {}
                    }
                }
            }
            pauses.push(Pause {
                voice: v,
                reply: i,
                inside: false,
                checks,
                length_s: speech_end_s - last_end,
                cap_s,
            });
        }
    }
    Ok(pauses)
}

fn save(pauses: &[Pause], path: &std::path::Path) -> std::io::Result<()> {
    let mut out = String::new();
    for p in pauses {
        let checks: Vec<String> = p
            .checks
            .iter()
            .map(|c| format!("{:.4}:{:.5}:{:.4}", c.silence_s, c.p, c.done_s))
            .collect();
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t{:.4}\t{:.4}\t{}",
            p.voice,
            p.reply,
            u8::from(p.inside),
            p.length_s,
            p.cap_s,
            checks.join(",")
        );
    }
    std::fs::write(path, out)
}

fn load(path: &std::path::Path) -> Option<Vec<Pause>> {
    let text = std::fs::read_to_string(path).ok()?;
    let mut pauses = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let checks = f
            .get(5)?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|c| {
                let v: Vec<&str> = c.split(':').collect();
                Some(Check {
                    silence_s: v.first()?.parse().ok()?,
                    p: v.get(1)?.parse().ok()?,
                    done_s: v.get(2)?.parse().ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        pauses.push(Pause {
            voice: f.first()?.parse().ok()?,
            reply: f.get(1)?.parse().ok()?,
            inside: *f.get(2)? == "1",
            length_s: f.get(3)?.parse().ok()?,
            cap_s: f.get(4)?.parse().ok()?,
            checks,
        });
    }
    Some(pauses)
}

/// A schedule: the bar at the first check (200 ms of silence), how much it falls per
/// 100 ms, its floor, and the resume window for a verdict at or above 0.5 and for one
/// below (the least sure wait longest).
#[derive(Clone, Copy)]
struct Schedule {
    start: f32,
    step: f32,
    floor: f32,
    window_sure_s: f64,
    window_unsure_s: f64,
}

impl Schedule {
    fn bar(&self, silence_s: f64) -> f32 {
        let steps = ((silence_s - 0.2) / 0.1).round().max(0.0) as f32;
        (self.start - self.step * steps).max(self.floor)
    }

    fn verdict(&self, checks: &[Check]) -> Option<Check> {
        checks.iter().copied().find(|c| c.p >= self.bar(c.silence_s))
    }

    fn window(&self, p: f32) -> f64 {
        if p >= 0.5 {
            self.window_sure_s
        } else {
            self.window_unsure_s
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join("holdspace-turn-bars.tsv");
    let fresh = std::env::args().any(|a| a == "--fresh");
    let pauses = match (fresh, load(&path)) {
        (false, Some(p)) if !p.is_empty() => {
            eprintln!("turn_bars: the record in {} (--fresh to measure again)", path.display());
            p
        }
        _ => {
            let p = record()?;
            save(&p, &path)?;
            p
        }
    };
    let voices = turnset::voices();
    // The first is the model's own bar; the app's schedule is `turn::bar` with
    // `turn::resume_window_s` (0.5 falling 0.3 per 100 ms to 0.1; 0.65 / 0.8 s).
    let schedules = [
        (0.5, 0.0, 0.5, 0.65, 0.65),
        (0.5, 0.2, 0.1, 0.65, 0.65),
        (0.5, 0.2, 0.1, 0.65, 0.8),
        (0.5, 0.3, 0.1, 0.65, 0.8),
        (0.5, 0.3, 0.05, 0.65, 0.8),
        (0.4, 0.2, 0.1, 0.65, 0.8),
        (0.3, 0.2, 0.1, 0.65, 0.8),
        (0.5, 0.4, 0.05, 0.65, 0.8),
    ];
    println!(
        "| bar at 200 ms | falls per 100 ms | floor | window (p ≥ 0.5 / below) | voice | end of turn p50 | p95 | within 400 ms | capped | inside judged over | cuts | longest pause cut (ms) | unsure ends |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (start, step, floor, sure, unsure) in schedules {
        let s = Schedule {
            start,
            step,
            floor,
            window_sure_s: sure,
            window_unsure_s: unsure,
        };
        for v in (0..voices.len()).map(Some).chain([None]) {
            let mine = pauses.iter().filter(|p| v.is_none_or(|v| p.voice == v));
            let (mut ends, mut capped, mut judged, mut cuts, mut longest, mut unsure_ends) =
                (Vec::new(), 0, 0, 0, 0.0f64, 0);
            let mut cut_replies = Vec::new();
            for p in mine {
                let verdict = s.verdict(&p.checks);
                if p.inside {
                    if let Some(c) = verdict {
                        judged += 1;
                        let sent = c.done_s.max(s.window(c.p));
                        if p.length_s > sent {
                            cuts += 1;
                            longest = longest.max(p.length_s * 1000.0);
                            cut_replies.push((p.voice, p.reply, c.p, p.length_s));
                        }
                    }
                } else {
                    match verdict {
                        Some(c) => {
                            unsure_ends += usize::from(c.p < 0.5);
                            ends.push((c.done_s + p.length_s) * 1000.0);
                        }
                        None => {
                            capped += 1;
                            ends.push(p.cap_s * 1000.0);
                        }
                    }
                }
            }
            ends.sort_by(f64::total_cmp);
            let at = |q: f64| {
                ends.get(((ends.len().max(1) - 1) as f64 * q).round() as usize)
                    .copied()
                    .unwrap_or(0.0)
            };
            let label = v.and_then(|v| voices.get(v)).map_or("all".to_owned(), |x| x.label());
            println!(
                "| {start} | {step} | {floor} | {sure} / {unsure} s | {label} | {:.0} ms | {:.0} ms | {} | {capped} of {} | {judged} | {cuts} | {longest:.0} | {unsure_ends} |",
                at(0.5),
                at(0.95),
                ends.iter().filter(|e| **e <= 400.0).count(),
                ends.len()
            );
            if v.is_none() {
                for (voice, reply, p, len) in cut_replies {
                    eprintln!(
                        "  cut: voice {voice} reply {reply} at p = {p:.2}, pause heard {:.0} ms",
                        len * 1000.0
                    );
                }
            }
        }
    }
    Ok(())
}
