//! Times Whisper's transcript under different settings on the speech test set (quick
//! voices), with the option accuracy, off-list rejection and word error rate each gives,
//! so a setting that is faster is seen to cost nothing:
//!
//! ```sh
//! cargo run -p holdspace_speech --example whisper_settings [-- prompt] [--busy]
//! ```
//!
//! Threads and fused attention by default; `prompt` compares the offered replies as
//! Whisper's prompt in full, as their distinct words, and no prompt. (whisper.cpp is
//! built optimised in every profile, so a debug build times it the same.)
//!
//! `--busy` keeps a second thread working 4 ms in every 11 (about what the app's own
//! frames take of a core), as the app's recognition worker shares the machine.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use holdspace_core::analysis::spoken::{expanded, spoken_words, word_distance};
use holdspace_speech::listen::{Heard, decide};
use holdspace_speech::options::OptionRecogniser;
use holdspace_speech::testset::{OPTION_SETS, cases, grammar, quick_voices};
use holdspace_speech::whisper::{Transcriber, default_model_path};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let busy = std::env::args().any(|a| a == "--busy");
    let stop = Arc::new(AtomicBool::new(false));
    let load = busy.then(|| {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let mut x = 0u64;
                while t.elapsed() < Duration::from_millis(4) {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                }
                std::hint::black_box(x);
                std::thread::sleep(Duration::from_millis(7));
            }
        })
    });
    let cases = cases();
    let grammars: Vec<_> = OPTION_SETS.iter().map(grammar).collect();
    let mut audio = Vec::new();
    for voice in quick_voices() {
        for case in &cases {
            audio.push((case, voice.say(case.text)?));
        }
    }
    let mut options = OptionRecogniser::open_default()?;
    let picks: Vec<_> = audio
        .iter()
        .map(|(case, a)| options.recognise(&grammars[case.set], a))
        .collect::<Result<_, _>>()?;
    println!("| threads | fused attention | prompt | p50 ms | p95 ms | options | rejected | WER |");
    println!("|---|---|---|---|---|---|---|---|");
    let configs: Vec<(i32, bool, &str)> = match std::env::args().nth(1).as_deref() {
        Some("prompt") => vec![(1, true, "full"), (1, true, "words"), (1, true, "none")],
        _ => vec![
            (1, false, "full"),
            (1, true, "full"),
            (2, true, "full"),
            (2, false, "full"),
        ],
    };
    for (threads, flash, prompt) in configs {
        let mut whisper = Transcriber::open_with(&default_model_path(), threads, flash)?;
        let (mut ms, mut right, mut on, mut rejected, mut off, mut errors, mut words) =
            (Vec::new(), 0, 0, 0, 0, 0.0, 0);
        for ((case, a), pick) in audio.iter().zip(&picks) {
            let g = &grammars[case.set];
            let text = match prompt {
                "full" => g.sentences.join(" "),
                "words" => distinct_words(&g.sentences),
                _ => String::new(),
            };
            let t = Instant::now();
            let transcript = whisper.transcribe_with(a, (!text.is_empty()).then_some(text.as_str()))?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            let reference = expanded(&spoken_words(case.text));
            let hyp = expanded(&spoken_words(&transcript.text));
            errors += word_distance(&hyp, &reference) * reference.len() as f32;
            words += reference.len();
            let heard = decide(Some(g), pick.as_ref(), Some(&transcript));
            match case.expected {
                Some(id) => {
                    on += 1;
                    right += usize::from(matches!(&heard, Heard::Reply { reply, .. } if reply == id));
                }
                None => {
                    off += 1;
                    rejected += usize::from(!matches!(heard, Heard::Reply { .. }));
                }
            }
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        println!(
            "| {threads} | {flash} | {prompt} | {:.0} | {:.0} | {right}/{on} | {rejected}/{off} | {:.3} |",
            at(0.5),
            at(0.95),
            errors / words as f32
        );
    }
    stop.store(true, Ordering::Relaxed);
    if let Some(l) = load {
        let _ = l.join();
    }
    Ok(())
}

/// Each word of the replies once, in order, as written (capitals kept).
fn distinct_words(sentences: &[String]) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for w in sentences.iter().flat_map(|s| s.split_whitespace()) {
        let key = w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        if seen.insert(key) {
            out.push(w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''));
        }
    }
    out.join(" ")
}
