//! Voice-activity detection with end-pointing: finds where the trainee starts and stops
//! talking in a 16 kHz stream.
//!
//! Energy against a tracked noise floor says where the sound is (at a headset or desk
//! microphone the speaker is far louder than the room, and the floor adapts to a fan or
//! hum); `earshot`'s small neural detector says whether that sound is a voice, so most
//! noise (a rush of air, a clatter) does not open a turn. It hears a steady tone as a
//! held vowel, and repeated clatter can get through. Time is counted in samples pushed,
//! so a WAV file fed faster than real time gives the same events as a microphone.
//!
//! With `pause_ms` set (the open microphone) a short silence inside an utterance is
//! reported as a pause, with the audio so far, for the end-of-turn checks to judge; the
//! utterance goes on if the speaker does, and ends by itself only after `end_silence_ms`.

/// Samples per second the detector expects.
pub const RATE: u32 = 16_000;
/// One analysis frame: 10 ms.
const FRAME: usize = 160;
/// Frames at the start that only measure the room (no speech can start in them).
const CALIBRATION_FRAMES: u64 = 20;
/// The neural detector's frame: 256 samples (16 ms).
const NEURAL_FRAME: usize = 256;

/// Tuning; the defaults suit a headset microphone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VadConfig {
    /// A frame is speech when it is this much above the noise floor.
    pub margin_db: f32,
    /// And at least this loud, whatever the floor.
    pub min_speech_dbfs: f32,
    /// Consecutive speech frames (10 ms each) before an utterance starts.
    pub start_frames: usize,
    /// Trailing silence that ends an utterance, in milliseconds. This is the end-pointing
    /// delay every reply pays before recognition starts.
    pub end_silence_ms: u32,
    /// Audio kept from before the start, so soft first consonants are not clipped.
    pub pre_roll_ms: u32,
    /// Utterances with less speech than this are dropped (a cough, a click).
    pub min_speech_ms: u32,
    /// An utterance is cut here even if the speaker goes on.
    pub max_utterance_s: f32,
    /// Silence inside an utterance reported as a pause (with the audio so far), in
    /// milliseconds; `None`: no pauses are reported and only `end_silence_ms` ends it.
    pub pause_ms: Option<u32>,
    /// After the first report, the pause is reported again every this many milliseconds
    /// while the silence lasts (a pause judged unfinished is judged again as it grows).
    pub recheck_ms: u32,
    /// The neural detector's score (0..1) at or above which loud frames are a voice;
    /// `None` leaves energy alone to decide.
    pub voice_threshold: Option<f32>,
}

impl VadConfig {
    /// The open microphone's settings: a pause after 200 ms of silence for the end-of-turn
    /// checks, again every 100 ms, and an utterance that ends by itself after
    /// `end_silence_ms` (the cap a turn judged unfinished waits for).
    pub fn open_mic(end_silence_ms: u32) -> VadConfig {
        VadConfig {
            pause_ms: Some(200),
            recheck_ms: 100,
            end_silence_ms,
            ..VadConfig::default()
        }
    }
}

impl Default for VadConfig {
    fn default() -> Self {
        VadConfig {
            margin_db: 12.0,
            min_speech_dbfs: -50.0,
            start_frames: 5,
            end_silence_ms: 500,
            pre_roll_ms: 250,
            min_speech_ms: 250,
            max_utterance_s: 20.0,
            pause_ms: None,
            recheck_ms: 100,
            voice_threshold: Some(0.5),
        }
    }
}

/// One finished utterance.
#[derive(Debug, Clone, PartialEq)]
pub struct Utterance {
    /// The audio from just before the first word to the end of the trailing silence.
    pub samples: Vec<f32>,
    /// When the speech started, in seconds of stream time.
    pub started_s: f64,
    /// When the last speech frame ended.
    pub speech_end_s: f64,
    /// When the detector decided it was over (speech end + the trailing silence, or the
    /// moment push-to-talk was released).
    pub detected_s: f64,
}

/// What the detector noticed in the audio just pushed.
#[derive(Debug, Clone, PartialEq)]
pub enum VadEvent {
    /// Speech began (stream time in seconds), the moment for barge-in.
    Started(f64),
    /// An utterance ended.
    Ended(Utterance),
    /// Something started but was too short to be speech.
    Dropped,
    /// A silence of `pause_ms` inside the utterance: the audio so far, for the end-of-turn
    /// checks (the utterance goes on).
    Paused(Utterance),
    /// Speech came back after a pause: the utterance goes on.
    Resumed,
}

/// The neural voice detector and its frame in the making.
struct Neural {
    detector: Box<earshot::Detector>,
    partial: Vec<f32>,
    /// The latest frame's score, 0..1.
    score: f32,
}

impl std::fmt::Debug for Neural {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Neural")
            .field("score", &self.score)
            .finish_non_exhaustive()
    }
}

impl Neural {
    fn new() -> Neural {
        Neural {
            detector: earshot::Detector::default_boxed(),
            partial: Vec::with_capacity(NEURAL_FRAME),
            score: 0.0,
        }
    }

    fn push(&mut self, samples: &[f32]) {
        for &s in samples {
            // earshot wants [-1, 1] (a debug assertion checks).
            self.partial.push(s.clamp(-1.0, 1.0));
            if self.partial.len() == NEURAL_FRAME {
                self.score = self.detector.predict_f32(&self.partial);
                self.partial.clear();
            }
        }
    }
}

/// The detector's state.
#[derive(Debug)]
pub struct Vad {
    config: VadConfig,
    floor_db: f32,
    /// Samples not yet a whole frame.
    partial: Vec<f32>,
    /// Recent frames kept for the pre-roll.
    history: std::collections::VecDeque<f32>,
    /// The utterance being collected, if speech has started.
    current: Option<Collecting>,
    run: usize,
    frames: u64,
    level_db: f32,
    neural: Neural,
    /// Frames of the room heard so far towards the first floor.
    calibrated: u64,
    /// Hearing the room only: no utterance may start.
    room_only: bool,
}

#[derive(Debug, Clone)]
struct Collecting {
    samples: Vec<f32>,
    started_frame: u64,
    last_speech_frame: u64,
    speech_frames: usize,
    /// Pauses reported since speech last came back.
    paused: u32,
}

impl Vad {
    /// A detector with `config`.
    pub fn new(config: VadConfig) -> Vad {
        Vad {
            config,
            floor_db: -70.0,
            partial: Vec::with_capacity(FRAME),
            history: std::collections::VecDeque::new(),
            current: None,
            run: 0,
            frames: 0,
            level_db: -120.0,
            neural: Neural::new(),
            calibrated: 0,
            room_only: false,
        }
    }

    /// The configuration.
    pub fn config(&self) -> VadConfig {
        self.config
    }

    /// Stream time so far, in seconds.
    pub fn now_s(&self) -> f64 {
        (self.frames as usize * FRAME + self.partial.len()) as f64 / f64::from(RATE)
    }

    /// The last frame's level in dBFS (for a level meter).
    pub fn level_dbfs(&self) -> f32 {
        self.level_db
    }

    /// The tracked background level in dBFS.
    pub fn floor_dbfs(&self) -> f32 {
        self.floor_db
    }

    /// Whether an utterance is in progress.
    pub fn in_speech(&self) -> bool {
        self.current.is_some()
    }

    /// The utterance in progress: when it started (stream seconds, as its
    /// [`Utterance::started_s`] will say) and its audio so far, which the finished
    /// utterance's audio begins with. For a recogniser that decodes as the trainee speaks.
    pub fn collecting(&self) -> Option<(f64, &[f32])> {
        let c = self.current.as_ref()?;
        Some((c.started_frame as f64 * FRAME as f64 / f64::from(RATE), &c.samples))
    }

    /// Seconds since the utterance in progress started; `None` between utterances.
    pub fn talked_s(&self) -> Option<f64> {
        let c = self.current.as_ref()?;
        Some(self.frames.saturating_sub(c.started_frame) as f64 * FRAME as f64 / f64::from(RATE))
    }

    /// Seconds of silence since the last speech frame of the utterance in progress (a
    /// pause inside the turn while shorter than the end-pointing silence).
    pub fn silence_s(&self) -> Option<f64> {
        let c = self.current.as_ref()?;
        Some(self.frames.saturating_sub(c.last_speech_frame + 1) as f64 * FRAME as f64 / f64::from(RATE))
    }

    /// Feeds 16 kHz mono samples and returns what happened in them.
    pub fn push(&mut self, samples: &[f32]) -> Vec<VadEvent> {
        let mut events = Vec::new();
        for &s in samples {
            self.partial.push(s);
            if self.partial.len() == FRAME {
                let frame = std::mem::take(&mut self.partial);
                self.frame(&frame, &mut events);
                self.partial = frame;
                self.partial.clear();
            }
        }
        events
    }

    /// Hears the room while nobody may be talking (push-to-talk not held): time goes on
    /// and the noise floor is measured and follows the room, so a trainee who speaks the
    /// instant they press the key is heard against the room, not against their own first
    /// syllable. No utterance starts.
    pub fn hear_room(&mut self, samples: &[f32]) {
        self.room_only = true;
        let _ = self.push(samples);
        self.room_only = false;
    }

    /// Ends the utterance now (push-to-talk released, or the stream ended), whatever the
    /// trailing silence.
    pub fn finish(&mut self) -> Option<VadEvent> {
        let tail = std::mem::take(&mut self.partial);
        let mut current = self.current.take()?;
        current.samples.extend_from_slice(&tail);
        self.run = 0;
        Some(self.close(current, self.now_s()))
    }

    /// The neural detector's latest score (0..1).
    pub fn voice_score(&self) -> f32 {
        self.neural.score
    }

    fn frame(&mut self, frame: &[f32], events: &mut Vec<VadEvent>) {
        self.neural.push(frame);
        let db = holdspace_core::analysis::signal::rms_dbfs(frame);
        self.level_db = db;
        if self.calibrated < CALIBRATION_FRAMES {
            // The room's level: the quietest of the first frames (a word already under
            // way at start-up does not set it).
            self.floor_db = if self.calibrated == 0 {
                db.max(-90.0)
            } else {
                self.floor_db.min(db.max(-90.0))
            };
            self.calibrated += 1;
            self.frames += 1;
            return;
        }
        let loud = db > (self.floor_db + self.config.margin_db).max(self.config.min_speech_dbfs);
        // A turn opens on a voice (loud alone would open one on a clatter); once open, loud
        // is enough to carry it on, so a trainee resuming after a pause is heard within a
        // frame, before the network has caught up with the first syllable.
        let voice = loud && self.config.voice_threshold.is_none_or(|t| self.neural.score >= t);
        let speech = if self.current.is_some() { loud } else { voice };
        // The floor follows quiet frames quickly and loud ones very slowly, so speech
        // does not drag it up but a new fan does, within seconds.
        if !loud {
            let rate = if db < self.floor_db { 0.3 } else { 0.05 };
            self.floor_db += (db.max(-90.0) - self.floor_db) * rate;
        } else {
            self.floor_db += 0.002 * (db - self.floor_db);
        }
        let index = self.frames;
        self.frames += 1;

        let pre_roll = (self.config.pre_roll_ms as usize * RATE as usize / 1000).max(FRAME);
        match self.current.as_mut() {
            None => {
                self.history.extend(frame.iter().copied());
                while self.history.len() > pre_roll {
                    self.history.pop_front();
                }
                self.run = if speech && !self.room_only { self.run + 1 } else { 0 };
                if self.run >= self.config.start_frames {
                    let started_frame = index + 1 - self.run as u64;
                    let samples: Vec<f32> = self.history.drain(..).collect();
                    self.current = Some(Collecting {
                        samples,
                        started_frame,
                        last_speech_frame: index,
                        speech_frames: self.run,
                        paused: 0,
                    });
                    events.push(VadEvent::Started(started_frame as f64 * FRAME as f64 / f64::from(RATE)));
                }
            }
            Some(current) => {
                current.samples.extend_from_slice(frame);
                if speech {
                    current.last_speech_frame = index;
                    current.speech_frames += 1;
                    if std::mem::take(&mut current.paused) > 0 {
                        events.push(VadEvent::Resumed);
                    }
                }
                let silent_ms = (index - current.last_speech_frame) * 10;
                if let Some(pause_ms) = self.config.pause_ms
                    && silent_ms >= u64::from(pause_ms) + u64::from(self.config.recheck_ms) * u64::from(current.paused)
                    && silent_ms < u64::from(self.config.end_silence_ms)
                    && current.speech_frames * 10 >= self.config.min_speech_ms as usize
                {
                    current.paused += 1;
                    let to_s = |frame: u64| frame as f64 * FRAME as f64 / f64::from(RATE);
                    events.push(VadEvent::Paused(Utterance {
                        samples: current.samples.clone(),
                        started_s: to_s(current.started_frame),
                        speech_end_s: to_s(current.last_speech_frame + 1),
                        detected_s: to_s(index + 1),
                    }));
                }
                let length_s = (index + 1 - current.started_frame) as f32 * 0.01;
                if (silent_ms >= u64::from(self.config.end_silence_ms) || length_s >= self.config.max_utterance_s)
                    && let Some(current) = self.current.take()
                {
                    self.run = 0;
                    let now = self.now_s();
                    events.push(self.close(current, now));
                }
            }
        }
    }

    fn close(&mut self, current: Collecting, now: f64) -> VadEvent {
        self.history.clear();
        if current.speech_frames * 10 < self.config.min_speech_ms as usize {
            return VadEvent::Dropped;
        }
        let to_s = |frame: u64| frame as f64 * FRAME as f64 / f64::from(RATE);
        VadEvent::Ended(Utterance {
            samples: current.samples,
            started_s: to_s(current.started_frame),
            speech_end_s: to_s(current.last_speech_frame + 1),
            detected_s: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f32, amplitude: f32) -> Vec<f32> {
        (0..(seconds * RATE as f32) as usize)
            .map(|i| amplitude * (i as f32 * 0.07).sin())
            .collect()
    }

    fn noise(seconds: f32, amplitude: f32) -> Vec<f32> {
        // A fixed pseudo-random hiss (xorshift), so the test is repeatable.
        let mut x: u32 = 0x1234_5678;
        (0..(seconds * RATE as f32) as usize)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                amplitude * (x as f32 / u32::MAX as f32 * 2.0 - 1.0)
            })
            .collect()
    }

    /// The detector with energy alone deciding: the tones here stand in for speech, which
    /// the neural gate would (rightly) refuse.
    fn energy_only() -> VadConfig {
        VadConfig {
            voice_threshold: None,
            ..VadConfig::default()
        }
    }

    fn run(vad: &mut Vad, audio: &[f32]) -> Vec<VadEvent> {
        // Pushed in uneven chunks, as a sound card delivers them.
        audio.chunks(437).flat_map(|c| vad.push(c)).collect()
    }

    #[test]
    fn one_utterance_with_its_start_and_end_pointed() {
        let mut audio = noise(1.0, 0.003);
        audio.extend(tone(1.2, 0.2));
        audio.extend(noise(0.2, 0.003));
        audio.extend(tone(0.6, 0.2)); // a pause shorter than end-pointing: same utterance
        audio.extend(noise(1.5, 0.003));
        let mut vad = Vad::new(energy_only());
        let events = run(&mut vad, &audio);
        assert_eq!(events.len(), 2, "{} events", events.len());
        let VadEvent::Started(start) = events[0] else {
            panic!("first event is not a start")
        };
        assert!((start - 1.0).abs() < 0.02, "{start}");
        let VadEvent::Ended(u) = &events[1] else {
            panic!("second event is not an end")
        };
        assert!((u.speech_end_s - 3.0).abs() < 0.02, "{}", u.speech_end_s);
        assert!((u.detected_s - u.speech_end_s - 0.5).abs() < 0.02, "{}", u.detected_s);
        // Pre-roll included: the audio starts before the speech.
        assert!(u.samples.len() as f64 / 16_000.0 > u.detected_s - u.started_s);
    }

    fn started(events: &[VadEvent]) -> usize {
        events.iter().filter(|e| matches!(e, VadEvent::Started(_))).count()
    }

    #[test]
    fn a_voice_opens_a_turn_and_clatter_or_a_rush_of_air_does_not() {
        let voice = crate::testset::TestVoice::Flite {
            voice: "slt",
            pitch_hz: 180.0,
            pace: 1.0,
        };
        let said = voice
            .say("Could you tell me what happened with the parcel?")
            .unwrap_or_default();
        let mut audio = noise(0.5, 0.003);
        audio.extend(said.iter().map(|s| s * 0.5));
        audio.extend(noise(1.0, 0.003));
        let mut vad = Vad::new(VadConfig::default());
        let events = run(&mut vad, &audio);
        assert_eq!(started(&events), 1, "a voice");
        assert!(events.iter().any(|e| matches!(e, VadEvent::Ended(_))));

        // Bursts of clatter (a keyboard, a dropped pen) and a rush of air (a fan turned
        // towards the microphone, breath on it), as loud as the voice. (A steady tone
        // does pass the network: it hears a held vowel in it.)
        let mut audio = noise(0.5, 0.003);
        audio.extend(noise(0.8, 0.05));
        audio.extend(noise(0.5, 0.003));
        audio.extend(noise(0.15, 0.3));
        audio.extend(noise(0.5, 0.003));
        let mut gated = Vad::new(VadConfig::default());
        let events = run(&mut gated, &audio);
        let at: Vec<f64> = events
            .iter()
            .filter_map(|e| if let VadEvent::Started(t) = e { Some(*t) } else { None })
            .collect();
        assert_eq!(started(&events), 0, "not a voice: started at {at:?}");
        let mut energy = Vad::new(energy_only());
        assert!(started(&run(&mut energy, &audio)) > 0, "energy alone is fooled");
    }

    #[test]
    fn on_an_open_mic_a_pause_is_reported_and_speech_after_it_resumes_the_same_turn() {
        let mut vad = Vad::new(VadConfig {
            voice_threshold: None,
            ..VadConfig::open_mic(1200)
        });
        let mut audio = noise(1.0, 0.003);
        audio.extend(tone(1.0, 0.2));
        audio.extend(noise(0.45, 0.003)); // a pause inside the turn
        audio.extend(tone(0.8, 0.2));
        audio.extend(noise(1.5, 0.003));
        let events = run(&mut vad, &audio);
        let kinds: Vec<&str> = events
            .iter()
            .map(|e| match e {
                VadEvent::Started(_) => "started",
                VadEvent::Paused(_) => "paused",
                VadEvent::Resumed => "resumed",
                VadEvent::Ended(_) => "ended",
                VadEvent::Dropped => "dropped",
            })
            .collect();
        // The 450 ms pause is judged at 200, 300 and 400 ms; the final silence every
        // 100 ms from 200 ms until the 1.2 s cap ends the turn.
        let mut expected = vec!["started", "paused", "paused", "paused", "resumed"];
        expected.extend(["paused"; 10]);
        expected.push("ended");
        assert_eq!(kinds, expected);
        let VadEvent::Paused(first) = &events[1] else {
            panic!("a pause")
        };
        assert!((first.speech_end_s - 2.0).abs() < 0.02, "{}", first.speech_end_s);
        assert!(
            (first.detected_s - 2.2).abs() < 0.02,
            "200 ms later: {}",
            first.detected_s
        );
        let VadEvent::Ended(whole) = &events[15] else {
            panic!("the end")
        };
        assert!((whole.speech_end_s - 3.25).abs() < 0.03, "{}", whole.speech_end_s);
        assert!((whole.detected_s - whole.speech_end_s - 1.2).abs() < 0.02, "the cap");
    }

    #[test]
    fn speech_the_instant_push_to_talk_is_held_is_heard_against_the_room() {
        // The key is pressed mid-sentence: the first audio the detector gets is speech.
        let mut cold = Vad::new(energy_only());
        assert_eq!(
            started(&run(&mut cold, &tone(1.0, 0.2))),
            0,
            "its own voice became the floor"
        );
        let mut warm = Vad::new(energy_only());
        warm.hear_room(&noise(0.5, 0.003));
        assert_eq!(started(&run(&mut warm, &tone(1.0, 0.2))), 1);
        assert!(
            (warm.now_s() - 1.5).abs() < 0.01,
            "time went on while the room was heard"
        );
    }

    #[test]
    fn talk_time_and_a_pause_inside_the_turn_are_measured() {
        let mut vad = Vad::new(energy_only());
        assert_eq!((vad.talked_s(), vad.silence_s()), (None, None), "nobody talking");
        run(&mut vad, &noise(1.0, 0.003));
        run(&mut vad, &tone(1.0, 0.2));
        let talked = vad.talked_s().expect("talking");
        assert!((talked - 1.0).abs() < 0.03, "{talked}");
        assert!(vad.silence_s().is_some_and(|s| s < 0.02));
        run(&mut vad, &noise(0.3, 0.003));
        let pause = vad.silence_s().expect("still in the turn");
        assert!((pause - 0.3).abs() < 0.03, "{pause}");
        run(&mut vad, &noise(0.5, 0.003));
        assert_eq!(vad.talked_s(), None, "the turn ended");
    }

    #[test]
    fn speech_already_under_way_at_start_up_does_not_set_the_floor_high() {
        // The room is measured from the quietest of the first frames.
        let mut audio = noise(0.1, 0.003);
        audio.extend(tone(0.1, 0.2));
        let mut vad = Vad::new(energy_only());
        run(&mut vad, &audio);
        assert!(vad.floor_dbfs() < -50.0, "{}", vad.floor_dbfs());
    }

    #[test]
    fn a_click_is_dropped_and_hiss_is_never_speech() {
        let mut audio = noise(2.0, 0.01);
        audio.extend(tone(0.08, 0.5));
        audio.extend(noise(2.0, 0.01));
        let mut vad = Vad::new(energy_only());
        let events = run(&mut vad, &audio);
        let ended: Vec<(f64, f64)> = events
            .iter()
            .filter_map(|e| match e {
                VadEvent::Ended(u) => Some((u.started_s, u.speech_end_s)),
                _ => None,
            })
            .collect();
        assert!(ended.is_empty(), "utterances {ended:?}");
        assert!(
            vad.floor_dbfs() > -50.0 && vad.floor_dbfs() < -40.0,
            "{}",
            vad.floor_dbfs()
        );
    }

    #[test]
    fn finish_ends_the_utterance_at_once() {
        let mut vad = Vad::new(energy_only());
        run(&mut vad, &noise(0.3, 0.003));
        run(&mut vad, &tone(1.0, 0.2));
        assert!(vad.in_speech());
        let Some(VadEvent::Ended(u)) = vad.finish() else {
            panic!("an utterance")
        };
        assert!((u.detected_s - 1.3).abs() < 0.02, "{}", u.detected_s);
        assert!(!vad.in_speech());
    }

    /// A recogniser fed the audio as it is collected has heard exactly the start of what
    /// the finished utterance holds, and when it started.
    #[test]
    fn the_audio_collected_so_far_begins_the_finished_utterance() {
        let mut vad = Vad::new(energy_only());
        assert!(vad.collecting().is_none());
        run(&mut vad, &noise(0.5, 0.003));
        let mut fed: Vec<f32> = Vec::new();
        let mut started_at = None;
        for chunk in tone(0.8, 0.2).chunks(177) {
            let _ = vad.push(chunk);
            if let Some((at, so_far)) = vad.collecting() {
                assert_eq!(&so_far[..fed.len()], &fed[..], "the audio so far only grows");
                fed.extend_from_slice(&so_far[fed.len()..]);
                started_at = Some(at);
            }
        }
        let Some(VadEvent::Ended(u)) = vad.finish() else {
            panic!("an utterance")
        };
        assert!(fed.len() > 8_000, "{} samples collected", fed.len());
        assert_eq!(&u.samples[..fed.len()], &fed[..]);
        assert_eq!(started_at, Some(u.started_s));
    }
}
