//! The grammar's pick heard along (fed a frame of audio at a time as the trainee speaks,
//! then finished) against the same utterance decoded whole, on the speech test set:
//! offered replies picked right, off-list sentences given a pick anyway, and how long
//! each takes at the moment the speech ends.
//!
//! ```sh
//! cargo run --release -p holdspace_speech --example grammar_along [-- all]
//! ```
//!
//! `all` uses every test voice instead of the quick ones.

use std::time::Instant;

use holdspace_speech::options::OptionRecogniser;
use holdspace_speech::testset::{OPTION_SETS, all_voices, cases, grammar, quick_voices};

/// About one frame of a 90 Hz app at 16 kHz.
const CHUNK: usize = 178;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cases = cases();
    let grammars: Vec<_> = OPTION_SETS.iter().map(grammar).collect();
    let mut options = OptionRecogniser::open_default()?;
    let voices = if std::env::args().any(|a| a == "all") {
        all_voices()
    } else {
        quick_voices()
    };
    let (mut whole_right, mut along_right, mut whole_off, mut along_off) = (0, 0, 0, 0);
    let (mut on, mut off) = (0, 0);
    let (mut whole_ms, mut finish_ms) = (Vec::new(), Vec::new());
    for voice in voices {
        for case in &cases {
            let audio = voice.say(case.text)?;
            let g = &grammars[case.set];
            let t = Instant::now();
            let whole = options.recognise(g, &audio)?;
            whole_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            options.start(g)?;
            let chunks: Vec<&[f32]> = audio.chunks(CHUNK).collect();
            let (last, before) = chunks.split_last().ok_or("no audio")?;
            for chunk in before {
                options.feed(chunk)?;
            }
            let t = Instant::now();
            options.feed(last)?;
            let along = options.finish(g)?;
            finish_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            match case.expected {
                Some(id) => {
                    on += 1;
                    whole_right += usize::from(whole.as_ref().is_some_and(|p| p.reply == id));
                    along_right += usize::from(along.as_ref().is_some_and(|p| p.reply == id));
                }
                None => {
                    off += 1;
                    whole_off += usize::from(whole.is_some());
                    along_off += usize::from(along.is_some());
                }
            }
        }
    }
    let p50 = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or_default()
    };
    println!("| | replies picked right | off-list given a pick | time at the end of speech, p50 |");
    println!("|---|---|---|---|");
    println!(
        "| decoded whole | {whole_right}/{on} | {whole_off}/{off} | {:.1} ms |",
        p50(&mut whole_ms)
    );
    println!(
        "| heard along | {along_right}/{on} | {along_off}/{off} | {:.1} ms |",
        p50(&mut finish_ms)
    );
    Ok(())
}
