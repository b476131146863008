//! Voiced lines kept in memory, keyed by everything that changes the audio (voice, text,
//! prosody, recording), so a line heard twice in a band is synthesised once; and, when
//! asked, on disk between runs ([`crate::disk`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use holdspace_core::Band;
use holdspace_core::Scenario;
use holdspace_core::expression::prosody::{NonVerbal, Prosody};
use holdspace_core::scenario::model::{Tag, Voice};

use crate::disk::DiskCache;
use crate::error::VoiceError;
use crate::render::{Engine, Speech, recorded_line, render_line_in_parts};
use crate::wav;

/// One line to voice.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRequest {
    /// The words.
    pub text: String,
    /// The customer's voice settings.
    pub voice: Voice,
    /// The customer's band while saying it.
    pub band: Band,
    /// The line's emotion and sound tags.
    pub tags: Vec<Tag>,
    /// A recorded file that replaces synthesis (already resolved inside the scenario's folder).
    pub recording: Option<PathBuf>,
}

impl LineRequest {
    /// The prosody this request is voiced with.
    pub fn prosody(&self) -> Prosody {
        Prosody::for_line(&self.voice, self.band, &self.tags)
    }
}

/// Every line of a scenario as it is most likely to be said, for [`VoiceCache::prefetch`]:
/// lines written for a band in that band first (in file order, so the opening comes
/// first), then the lines written for any band, the reveal and the outcomes in every
/// band. `recording` resolves a line's `audio` path (`None` to synthesise).
pub fn scenario_requests(scenario: &Scenario, recording: impl Fn(&str) -> Option<PathBuf>) -> Vec<LineRequest> {
    let request = |line: &holdspace_core::scenario::model::Line, band: Band| LineRequest {
        text: line.text.clone(),
        voice: scenario.customer.voice.clone(),
        band,
        tags: line.tags.clone(),
        recording: line.audio.as_deref().and_then(&recording),
    };
    let lines = scenario.lines();
    let mut out: Vec<LineRequest> = lines
        .iter()
        .filter_map(|l| l.band.map(|b| request(l.line, b)))
        .collect();
    for band in Band::ALL {
        out.extend(lines.iter().filter(|l| l.band.is_none()).map(|l| request(l.line, band)));
    }
    out
}

/// The lines the customer is likely to say next, for [`PrefetchControl::put_first`]:
/// for each reply on offer, its answer and the lines of the step it leads to, then the
/// scenario's generic and off-topic lines, each in the current band first and then in
/// the bands either side (a reply moves the customer one band at most, usually). With
/// the neural voice a whole scenario takes minutes to voice, so the prefetch must voice
/// what can come next before what might come one day.
pub fn likely_requests(
    scenario: &Scenario,
    replies: &[&holdspace_core::scenario::model::Reply],
    band: Band,
) -> Vec<LineRequest> {
    use holdspace_core::scenario::model::{BandKey, BandLines, Next};
    let i = band.index();
    let mut bands = vec![band];
    bands.extend(i.checked_sub(1).map(|j| Band::ALL[j]));
    bands.extend(Band::ALL.get(i + 1).copied());
    let mut out: Vec<LineRequest> = Vec::new();
    let mut add = |lines: &BandLines, b: Band| {
        let own = lines.get(&BandKey::of(b)).filter(|l| !l.is_empty());
        for line in own.or_else(|| lines.get(&BandKey::Any)).into_iter().flatten() {
            if !out.iter().any(|r| r.text == line.text && r.band == b) {
                out.push(LineRequest {
                    text: line.text.clone(),
                    voice: scenario.customer.voice.clone(),
                    band: b,
                    tags: line.tags.clone(),
                    recording: None,
                });
            }
        }
    };
    for b in &bands {
        for reply in replies {
            add(&reply.answer, *b);
            if let Next::Goto(id) = &reply.next
                && let Some(step) = scenario.steps.iter().find(|s| &s.id == id)
            {
                add(&step.say, *b);
            }
        }
        add(&scenario.generic, *b);
        add(&scenario.off_topic, *b);
    }
    out
}

/// The sounds the customer makes while the trainee talks, for [`VoiceCache::prefetch`]
/// (they must be instant when wanted, so they are voiced first): the scenario's
/// backchannels in the bands that give them, and a sigh and a breath alone (empty text,
/// the sound as the lead-in) in the bands that make them. See
/// [`holdspace_core::expression::listening`].
pub fn listening_requests(scenario: &Scenario) -> Vec<LineRequest> {
    let request = |text: &str, band: Band, tags: Vec<Tag>| LineRequest {
        text: text.to_owned(),
        voice: scenario.customer.voice.clone(),
        band,
        tags,
        recording: None,
    };
    let mut out = Vec::new();
    for band in [Band::Calm, Band::Uneasy] {
        out.extend(
            scenario
                .customer
                .listening
                .backchannels
                .iter()
                .map(|w| request(w, band, Vec::new())),
        );
    }
    for band in [Band::Angry, Band::Hostile] {
        out.push(request("", band, vec![Tag::Sigh]));
        out.push(request("", band, vec![Tag::Breath]));
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Synth {
        voice: String,
        text: String,
        prosody: [u32; 5],
        lead_in: Option<NonVerbal>,
    },
    Recording {
        path: PathBuf,
        text: String,
    },
}

fn key_of(request: &LineRequest) -> Key {
    match &request.recording {
        Some(path) => Key::Recording {
            path: path.clone(),
            text: request.text.clone(),
        },
        None => {
            let p = request.prosody();
            Key::Synth {
                voice: request.voice.voice.clone(),
                text: request.text.clone(),
                prosody: p.cache_key(),
                lead_in: p.lead_in,
            }
        }
    }
}

/// What says a synthesised line, for keys of lines kept on disk: Kokoro with its model's
/// sha256 for a neural voice when it is installed, else flite and the voice it uses.
pub fn engine_of(voice: &Voice) -> String {
    engine_key(Engine::Auto, voice)
}

fn engine_key(engine: Engine, voice: &Voice) -> String {
    if engine == Engine::Auto
        && voice.is_neural()
        && let Ok(kokoro) = crate::kokoro::status()
    {
        return format!("kokoro {}", kokoro.id());
    }
    format!("flite 2.2 {}", voice.flite_voice())
}

/// Which synthesiser says this voice's lines, in words: "Kokoro-82M" or "flite (slt)".
pub fn engine_label(voice: &Voice) -> String {
    if voice.is_neural() && crate::kokoro::status().is_ok() {
        "Kokoro-82M".to_owned()
    } else {
        format!("flite ({})", voice.flite_voice())
    }
}

/// How lines are put together from sentences (levelling, trimming, pauses): part of the
/// disk key, so a line kept by an older build is made again rather than played as it
/// was. 2: each sentence levelled alone, neural sentences trimmed at their first sound.
const ASSEMBLY: u32 = 2;

/// The key a synthesised line is kept on disk under (recordings are not kept: they are
/// files already).
fn disk_key(engine: Engine, request: &LineRequest) -> Option<String> {
    if request.recording.is_some() {
        return None;
    }
    let p = request.prosody();
    Some(format!(
        "{ASSEMBLY}|{}|{}|{:?}|{:?}|{:?}|{}",
        engine_key(engine, &request.voice),
        request.voice.voice,
        request.voice.base_pitch_hz.to_bits(),
        p.cache_key(),
        p.lead_in,
        request.text
    ))
}

/// A line as it starts ([`VoiceCache::start`]).
#[derive(Debug)]
pub struct Started {
    /// What to play now: the whole line, or its first sentence.
    pub speech: Arc<Speech>,
    /// Whether it came from a cache.
    pub cached: bool,
    /// The longer parts of the line, coming, when `speech` is only its first sentence.
    pub rest: Option<Rest>,
}

/// More of a line whose start is playing: the line up to a later sentence, or the whole.
#[derive(Debug, Clone)]
pub struct Part {
    /// The line so far, from its start (its first samples are those already playing).
    pub speech: Arc<Speech>,
    /// Whether this is the whole line.
    pub complete: bool,
}

/// The rest of a line whose first sentence is playing, made sentence by sentence.
#[derive(Debug)]
pub struct Rest(Mutex<std::sync::mpsc::Receiver<Result<Part, VoiceError>>>);

impl Rest {
    /// The next part once it is made (`None` while it is not yet); an error if making it
    /// failed or its thread died.
    pub fn try_take(&self) -> Option<Result<Part, VoiceError>> {
        let Ok(receiver) = self.0.lock() else {
            return Some(Err(VoiceError::Synthesis("the rest of the line was lost".to_owned())));
        };
        match receiver.try_recv() {
            Ok(result) => Some(result),
            Err(std::sync::mpsc::TryRecvError::Empty) => None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Some(Err(VoiceError::Synthesis(
                "the rest of the line was not made".to_owned(),
            ))),
        }
    }

    /// Waits for the next part (tests and benchmarks).
    pub fn next(&self) -> Result<Part, VoiceError> {
        self.0
            .lock()
            .map_err(|_| VoiceError::Synthesis("the rest of the line was lost".to_owned()))?
            .recv()
            .map_err(|_| VoiceError::Synthesis("the rest of the line was not made".to_owned()))?
    }

    /// Waits for the whole line (tests and benchmarks).
    pub fn wait(self) -> Result<Arc<Speech>, VoiceError> {
        loop {
            let part = self.next()?;
            if part.complete {
                return Ok(part.speech);
            }
        }
    }
}

/// Lines kept beyond this are dropped (oldest first is not tracked: the whole cache is
/// cleared), bounding memory for a long session with generated variety.
const CAPACITY: usize = 256;

/// Steers a background prefetch: stop it for good, or hold it between lines while
/// something more urgent needs the processor (on two cores, recognising the trainee's
/// reply ran two to three times slower beside a line being synthesised).
#[derive(Debug, Default)]
pub struct PrefetchControl {
    stop: AtomicBool,
    hold: AtomicBool,
    /// Lines wanted before the rest of the list, newest first.
    first: Mutex<std::collections::VecDeque<LineRequest>>,
}

/// How often a held prefetch looks again.
const HELD_POLL: Duration = Duration::from_millis(5);

impl PrefetchControl {
    /// Stops the prefetch after the line it is on.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    /// Holds the prefetch before its next line (`true`) or lets it go on (`false`). A
    /// line already being synthesised finishes.
    pub fn hold(&self, hold: bool) {
        self.hold.store(hold, Ordering::Relaxed);
    }

    /// Puts `requests` before everything still waiting (the lines likely next, once the
    /// conversation has moved on); they replace any put first before.
    pub fn put_first(&self, requests: Vec<LineRequest>) {
        if let Ok(mut first) = self.first.lock() {
            *first = requests.into();
        }
    }

    fn take_first(&self) -> Option<LineRequest> {
        self.first.lock().ok().and_then(|mut f| f.pop_front())
    }

    /// Whether the prefetch is held now.
    pub fn is_held(&self) -> bool {
        self.hold.load(Ordering::Relaxed)
    }

    /// Waits while held; `false` once stopped.
    fn wait_while_held(&self) -> bool {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            if !self.is_held() {
                return true;
            }
            std::thread::sleep(HELD_POLL);
        }
    }
}

/// A thread-safe cache of voiced lines.
#[derive(Debug, Default, Clone)]
pub struct VoiceCache {
    lines: Arc<Mutex<HashMap<Key, Arc<Speech>>>>,
    disk: Option<DiskCache>,
    engine: Engine,
}

impl VoiceCache {
    /// A cache that also keeps lines on disk, in `disk`'s folder, across runs.
    pub fn with_disk(disk: DiskCache) -> VoiceCache {
        VoiceCache {
            disk: Some(disk),
            ..VoiceCache::default()
        }
    }

    /// The same cache voicing with `engine` (flite for every voice, say, on a machine
    /// too slow for the neural voice).
    pub fn with_engine(self, engine: Engine) -> VoiceCache {
        VoiceCache { engine, ..self }
    }

    /// The synthesiser this cache voices with.
    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The voiced line and whether it came from the cache (memory or disk).
    pub fn voice(&self, request: &LineRequest) -> Result<(Arc<Speech>, bool), VoiceError> {
        self.voice_in_parts(request, |_| {})
    }

    /// As [`Self::voice`], handing `on_part` the line so far after each sentence but the
    /// last when it has to be synthesised ([`crate::render::render_line_in_parts`]).
    fn voice_in_parts(
        &self,
        request: &LineRequest,
        on_part: impl FnMut(Speech),
    ) -> Result<(Arc<Speech>, bool), VoiceError> {
        let key = key_of(request);
        if let Some(hit) = self.lines.lock().ok().and_then(|l| l.get(&key).cloned()) {
            return Ok((hit, true));
        }
        let on_disk = self.disk.as_ref().zip(disk_key(self.engine, request));
        let kept = on_disk.as_ref().and_then(|(disk, k)| disk.get(k));
        let from_disk = kept.is_some();
        // Synthesise outside the lock: another line may be looked up meanwhile.
        let speech = Arc::new(match (&request.recording, kept) {
            (_, Some(speech)) => speech,
            (Some(path), None) => {
                let (rate, samples) = wav::read_mono(path)?;
                recorded_line(&request.text, rate, samples)
            }
            (None, None) => {
                let speech =
                    render_line_in_parts(self.engine, &request.text, &request.voice, &request.prosody(), on_part)?;
                if let Some((disk, k)) = &on_disk {
                    // Not kept only costs the next run a synthesis.
                    let _ = disk.put(k, &speech);
                }
                speech
            }
        });
        if let Ok(mut lines) = self.lines.lock() {
            if lines.len() >= CAPACITY {
                lines.clear();
            }
            lines.insert(key, speech.clone());
        }
        Ok((speech, from_disk))
    }

    /// Starts a line as soon as possible: the whole line when it is cached (in memory or
    /// on disk), a recording or a single sentence; otherwise, with the neural voice, its
    /// first sentence, while a thread of its own makes the rest sentence by sentence
    /// (and caches the whole) for [`crate::Speaker::continue_with`] to carry on into,
    /// each part as the one before it ends. flite makes a whole line in tens of
    /// milliseconds, so it always gives the whole line.
    pub fn start(&self, request: &LineRequest) -> Result<Started, VoiceError> {
        let streams = request.recording.is_none()
            && self.engine == Engine::Auto
            && request.voice.is_neural()
            && crate::kokoro::status().is_ok()
            && crate::render::split_sentences(&request.text).len() > 1
            && !self.contains(request)
            && !self
                .disk
                .as_ref()
                .zip(disk_key(self.engine, request))
                .is_some_and(|(disk, k)| disk.has(&k));
        if !streams {
            let (speech, cached) = self.voice(request)?;
            return Ok(Started {
                speech,
                cached,
                rest: None,
            });
        }
        let (send, receive) = std::sync::mpsc::channel();
        let (cache, line) = (self.clone(), request.clone());
        std::thread::Builder::new()
            .name("voice-rest".into())
            .spawn(move || {
                // The receiver may have gone (the line was cut off): the line is still
                // made and cached, for the next time it is said.
                let made = cache.voice_in_parts(&line, |part| {
                    let _ = send.send(Ok(Part {
                        speech: Arc::new(part),
                        complete: false,
                    }));
                });
                let _ = send.send(made.map(|(speech, _)| Part { speech, complete: true }));
            })
            .map_err(|e| VoiceError::Synthesis(format!("no thread for the rest of the line: {e}")))?;
        let rest = Rest(Mutex::new(receive));
        let first = rest.next()?;
        Ok(Started {
            speech: first.speech,
            cached: false,
            rest: (!first.complete).then_some(rest),
        })
    }

    /// Voices each request not already cached, in order, until done or stopped, waiting
    /// between lines while the control is held. Returns how many were synthesised. Run on
    /// a background thread at the start of a conversation, so that by the time a line is
    /// said it is usually a cache hit.
    /// Lines put first ([`PrefetchControl::put_first`]) go before the rest of the list.
    pub fn prefetch(&self, requests: &[LineRequest], control: &PrefetchControl) -> usize {
        let mut made = 0;
        let mut rest = requests.iter();
        loop {
            if !control.wait_while_held() {
                break;
            }
            let Some(request) = control.take_first().or_else(|| rest.next().cloned()) else {
                break;
            };
            if self.contains(&request) {
                continue;
            }
            // A file that cannot be read is reported when the line is said; skip it here.
            if let Ok((_, false)) = self.voice(&request) {
                made += 1;
            }
        }
        made
    }

    /// Whether this request is already voiced.
    pub fn contains(&self, request: &LineRequest) -> bool {
        let key = key_of(request);
        self.lines.lock().is_ok_and(|l| l.contains_key(&key))
    }

    /// Number of lines held.
    pub fn len(&self) -> usize {
        self.lines.lock().map_or(0, |l| l.len())
    }

    /// Whether nothing is cached yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(band: Band) -> LineRequest {
        LineRequest {
            text: "Where is my parcel?".into(),
            voice: Voice::default(),
            band,
            tags: vec![],
            recording: None,
        }
    }

    #[test]
    fn the_same_line_in_the_same_band_is_made_once() {
        let cache = VoiceCache::default();
        let (a, hit_a) = cache.voice(&request(Band::Angry)).unwrap_or_else(|e| panic!("{e}"));
        let (b, hit_b) = cache.voice(&request(Band::Angry)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!hit_a && hit_b);
        assert!(Arc::ptr_eq(&a, &b));
        let (c, hit_c) = cache.voice(&request(Band::Calm)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!hit_c && c.samples != a.samples);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn the_listening_sounds_voice_and_a_sigh_alone_has_no_words() {
        let source = include_str!("../../../scenarios/delivery_bereavement.ron");
        let lexicon = holdspace_core::analysis::lexicon::Lexicon::builtin();
        let Some(loaded) = holdspace_core::scenario::load::check(source, &lexicon).scenario else {
            panic!("the shipped scenario loads");
        };
        let scenario = loaded.scenario;
        let requests = listening_requests(&scenario);
        assert!(requests.iter().any(|r| r.text == "Uh-huh." && r.band == Band::Calm));
        let cache = VoiceCache::default();
        for r in &requests {
            let (speech, _) = cache.voice(r).unwrap_or_else(|e| panic!("{}: {e}", r.text));
            let d = speech.duration_s();
            assert!(d > 0.1 && d < 1.5, "{:?} in {:?}: {d} s", r.text, r.band);
            if r.text.is_empty() {
                assert!(speech.words.is_empty(), "a sigh has no subtitle");
            }
        }
    }

    #[test]
    fn prefetching_makes_later_lines_hits_and_stops_when_asked() {
        let cache = VoiceCache::default();
        let requests = [request(Band::Calm), request(Band::Hostile)];
        assert_eq!(cache.prefetch(&requests, &PrefetchControl::default()), 2);
        assert!(requests.iter().all(|r| cache.contains(r)));
        assert!(cache.voice(&requests[1]).is_ok_and(|(_, hit)| hit));
        let other = VoiceCache::default();
        let stopped = PrefetchControl::default();
        stopped.stop();
        assert_eq!(other.prefetch(&requests, &stopped), 0);
        assert!(other.is_empty());
    }

    #[test]
    fn lines_put_first_are_voiced_and_replace_the_ones_before() {
        let cache = VoiceCache::default();
        let control = PrefetchControl::default();
        control.put_first(vec![request(Band::Calm)]);
        // The conversation moved on: only the newest likely lines are wanted.
        control.put_first(vec![request(Band::Hostile)]);
        assert_eq!(cache.prefetch(&[], &control), 1);
        assert!(cache.contains(&request(Band::Hostile)) && !cache.contains(&request(Band::Calm)));
    }

    #[test]
    fn the_likely_next_lines_are_the_next_steps_in_this_band_and_its_neighbours() {
        let source = include_str!("../../../scenarios/delivery_bereavement.ron");
        let lexicon = holdspace_core::analysis::lexicon::Lexicon::builtin();
        let Some(loaded) = holdspace_core::scenario::load::check(source, &lexicon).scenario else {
            panic!("the shipped scenario loads");
        };
        let s = &loaded.scenario;
        let opening = &s.steps[0];
        let replies: Vec<&holdspace_core::scenario::model::Reply> = opening.replies.iter().collect();
        let likely = likely_requests(s, &replies, Band::Uneasy);
        // The details step's uneasy line comes first (the paraphrase leads there).
        assert!(likely[0].text.starts_with("H X 4 4 7 1. Look"), "{:?}", likely[0].text);
        assert_eq!(likely[0].band, Band::Uneasy);
        assert!(
            likely
                .iter()
                .all(|r| matches!(r.band, Band::Calm | Band::Uneasy | Band::Frustrated))
        );
        assert!(
            likely
                .iter()
                .any(|r| r.band == Band::Frustrated && r.text.contains("email you sent me"))
        );
    }

    #[test]
    fn a_held_prefetch_makes_nothing_until_let_go() {
        let cache = VoiceCache::default();
        let requests = [request(Band::Calm), request(Band::Angry)];
        let control = Arc::new(PrefetchControl::default());
        control.hold(true);
        let (worker_cache, worker_control) = (cache.clone(), Arc::clone(&control));
        let worker = std::thread::spawn(move || worker_cache.prefetch(&requests, &worker_control));
        // Held: however long it waits, nothing is voiced.
        std::thread::sleep(Duration::from_millis(100));
        assert!(cache.is_empty() && !worker.is_finished());
        control.hold(false);
        assert_eq!(worker.join().unwrap_or_else(|_| panic!("the prefetch panicked")), 2);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_recording_replaces_synthesis_and_its_mouth_follows_loudness() {
        let dir = std::env::temp_dir().join(format!("holdspace-rec-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join("line.wav");
        let mut audio = vec![0.0f32; 8000];
        audio.extend((0..8000).map(|i| 0.3 * (i as f32 * 0.07).sin()));
        wav::write_mono(&path, 16_000, &audio).unwrap_or_else(|e| panic!("{e}"));
        let cache = VoiceCache::default();
        let (speech, _) = cache
            .voice(&LineRequest {
                recording: Some(path),
                ..request(Band::Calm)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(speech.samples.len(), 16_000);
        assert!(speech.mouth.shape_at(0.2).jaw_open < 0.05);
        assert!(speech.mouth.shape_at(0.8).jaw_open > 0.4);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
