//! Playback through kira: one spatial track at the customer's mouth for their voice, the
//! room bed on the main track, and the playback position that times the mouth shapes and
//! the subtitle. Generic over kira's backend: the sound card in the app, kira's mock
//! backend in tests and when no device opens (then advanced by the frame clock, so
//! subtitles and lip sync keep their timing with no sound).

use std::sync::Arc;
use std::time::Duration;

use kira::backend::Backend;
use kira::backend::mock::{MockBackend, MockBackendSettings};
use kira::listener::ListenerHandle;
use kira::sound::PlaybackState;
use kira::sound::static_sound::{StaticSoundData, StaticSoundHandle, StaticSoundSettings};
use kira::track::MainTrackBuilder;
use kira::track::{SpatialTrackBuilder, SpatialTrackDistances, SpatialTrackHandle};
use kira::{AudioManager, AudioManagerSettings, Capacities, Easing, Frame, StartTime, Tween};

use holdspace_core::expression::lipsync::MouthShape;

use crate::ambience;
use crate::error::VoiceError;
use crate::render::Speech;

/// Level of the room bed relative to full scale, in decibels.
const BED_VOLUME_DB: f32 = -4.0;
/// Frames kira renders per internal buffer (its default); the mock backend advances by this.
const INTERNAL_BUFFER: usize = 128;
/// Fade applied when a line is cut off (barge-in, a new line, leaving the screen).
pub const CUT_FADE: Duration = Duration::from_millis(120);

/// The customer's voice and the room, on one kira mixer.
pub struct Speaker<B: Backend> {
    manager: AudioManager<B>,
    // Kept alive: dropping the handle removes the listener the mouth track is heard by.
    listener: ListenerHandle,
    mouth: SpatialTrackHandle,
    /// Where the mouth was last put (kira does not read positions back).
    mouth_at: [f32; 3],
    bed: Option<StaticSoundHandle>,
    /// The line being said: its first part, then each longer part carrying on from
    /// where the one before it ends (all on the line's clock).
    pieces: Vec<Playing>,
    /// The line is not all here yet: the customer is still speaking, even between parts.
    awaiting_rest: bool,
}

/// A part of the line being said.
struct Playing {
    handle: StaticSoundHandle,
    speech: Arc<Speech>,
    /// Where on the line's clock this part starts playing (its sound starts there too).
    from: f32,
}

impl Playing {
    /// Whether it has begun to sound: the first part at once, a later one once its
    /// position has moved past where it was told to start.
    fn started(&self) -> bool {
        self.from == 0.0
            || matches!(self.handle.state(), PlaybackState::Stopped)
            || self.handle.position() as f32 > self.from
    }
}

fn tween(duration: Duration) -> Tween {
    Tween {
        start_time: StartTime::Immediate,
        duration,
        easing: Easing::Linear,
    }
}

impl<B: Backend> Speaker<B>
where
    B::Error: std::fmt::Debug,
{
    /// Opens the backend and sets up the listener at the origin and the mouth track in
    /// front of it.
    pub fn new(backend_settings: B::Settings) -> Result<Self, VoiceError> {
        let mut manager = AudioManager::<B>::new(AudioManagerSettings {
            capacities: Capacities::default(),
            main_track_builder: MainTrackBuilder::default(),
            internal_buffer_size: INTERNAL_BUFFER,
            backend_settings,
        })
        .map_err(|e| VoiceError::Playback(format!("{e:?}")))?;
        let listener = manager
            .add_listener([0.0f32, 1.6, 0.0], [0.0f32, 0.0, 0.0, 1.0])
            .map_err(|e| VoiceError::Playback(e.to_string()))?;
        // Full level within arm's reach; a voice across the room would still carry.
        let mouth = manager
            .add_spatial_sub_track(
                &listener,
                [0.0f32, 1.6, -1.2],
                SpatialTrackBuilder::new()
                    .distances(SpatialTrackDistances {
                        min_distance: 1.5,
                        max_distance: 25.0,
                    })
                    .spatialization_strength(0.6),
            )
            .map_err(|e| VoiceError::Playback(e.to_string()))?;
        Ok(Speaker {
            manager,
            listener,
            mouth,
            mouth_at: [0.0; 3],
            bed: None,
            pieces: Vec::new(),
            awaiting_rest: false,
        })
    }

    /// Starts the room bed, fading in over two seconds, looping until [`Self::stop_bed`].
    pub fn start_bed(&mut self) -> Result<(), VoiceError> {
        if self.bed.is_some() {
            return Ok(());
        }
        let rate = 22_050;
        let data = sound_data(rate, &ambience::room_tone(rate))
            .loop_region(..)
            .volume(BED_VOLUME_DB)
            .fade_in_tween(tween(Duration::from_secs(2)));
        let handle = self
            .manager
            .play(data)
            .map_err(|e| VoiceError::Playback(e.to_string()))?;
        self.bed = Some(handle);
        Ok(())
    }

    /// Fades the room bed out.
    pub fn stop_bed(&mut self) {
        if let Some(mut bed) = self.bed.take() {
            bed.stop(tween(Duration::from_millis(600)));
        }
    }

    /// Says a line from the mouth, cutting off (with a short fade) anything still being said.
    pub fn say(&mut self, speech: Arc<Speech>) -> Result<(), VoiceError> {
        self.stop(CUT_FADE);
        self.mouth.set_volume(0.0, tween(Duration::from_millis(50)));
        let data = sound_data(speech.sample_rate, &speech.samples).fade_in_tween(tween(Duration::from_millis(8)));
        let handle = self.mouth.play(data).map_err(|e| VoiceError::Playback(e.to_string()))?;
        self.pieces.push(Playing {
            handle,
            speech,
            from: 0.0,
        });
        Ok(())
    }

    /// Says that what [`Self::say`] just started is the first part of a line still
    /// being made: until [`Self::continue_with`] brings the whole, the customer counts as
    /// still speaking.
    pub fn expect_rest(&mut self) {
        self.awaiting_rest = !self.pieces.is_empty();
    }

    /// Carries on into `part`, a longer part of the line that is playing (`complete`: the
    /// whole of it): it starts where the last part given ends, the moment that part ends
    /// (at once if it already has), so the sentences join as they would in one sound.
    /// Nothing happens if the line was cut off meanwhile.
    pub fn continue_with(&mut self, part: Arc<Speech>, complete: bool) -> Result<(), VoiceError> {
        if !self.awaiting_rest {
            return Ok(());
        }
        self.awaiting_rest = !complete;
        let Some(last) = self.pieces.last() else {
            return Ok(());
        };
        let from = last.speech.duration_s();
        if part.duration_s() <= from {
            return Ok(());
        }
        let now = self.line_time().unwrap_or(from);
        let left = (from - now).max(0.0);
        let start = if left > 0.0 {
            StartTime::Delayed(Duration::from_secs_f32(left))
        } else {
            StartTime::Immediate
        };
        let data = sound_data(part.sample_rate, &part.samples)
            .start_position(f64::from(from))
            .start_time(start);
        let handle = self.mouth.play(data).map_err(|e| VoiceError::Playback(e.to_string()))?;
        self.pieces.push(Playing {
            handle,
            speech: part,
            from,
        });
        Ok(())
    }

    /// How far into the line playback is: the furthest position of the parts that have
    /// begun (a part that has ended stays at its end).
    fn line_time(&self) -> Option<f32> {
        self.pieces
            .iter()
            .filter(|p| p.started())
            .map(|p| p.handle.position() as f32)
            .reduce(f32::max)
    }

    /// The part sounding now: the last that has begun.
    fn active(&self) -> Option<&Playing> {
        self.pieces.iter().rev().find(|p| p.started()).or(self.pieces.first())
    }

    /// Stops the current line with a fade of `fade`.
    pub fn stop(&mut self, fade: Duration) {
        self.awaiting_rest = false;
        for mut playing in self.pieces.drain(..) {
            playing.handle.stop(tween(fade));
        }
    }

    /// The customer raises their voice over an interruption: the rest of the line is louder.
    pub fn talk_over(&mut self) {
        self.mouth.set_volume(3.0, tween(Duration::from_millis(150)));
    }

    /// Seconds into the current line, while one is playing.
    pub fn position_s(&self) -> Option<f32> {
        let playing = self.active()?;
        match playing.handle.state() {
            PlaybackState::Stopped => None,
            _ => Some(playing.handle.position() as f32),
        }
    }

    /// Whether the customer is saying something now (or is between the first sentence
    /// of a line and the rest of it).
    pub fn is_speaking(&self) -> bool {
        self.awaiting_rest
            || self
                .position_s()
                .is_some_and(|t| self.active().is_some_and(|p| t < p.speech.duration_s()))
    }

    /// The line being said, if any.
    pub fn speech(&self) -> Option<&Arc<Speech>> {
        self.active().map(|p| &p.speech)
    }

    /// The mouth shape at the current playback position (at rest when silent).
    pub fn mouth_shape(&self) -> MouthShape {
        match (self.position_s(), self.active()) {
            (Some(t), Some(p)) => p.speech.mouth.shape_at(t),
            _ => MouthShape::REST,
        }
    }

    /// Moves the listener (the trainee's head): position in metres, orientation as a
    /// quaternion `[x, y, z, w]`.
    pub fn set_listener(&mut self, position: [f32; 3], orientation: [f32; 4]) {
        let instant = tween(Duration::ZERO);
        self.listener.set_position(position, instant);
        self.listener.set_orientation(orientation, instant);
    }

    /// Moves the voice to the customer's mouth.
    pub fn set_mouth(&mut self, position: [f32; 3]) {
        self.mouth.set_position(position, tween(Duration::ZERO));
        self.mouth_at = position;
    }

    /// Where the voice comes from: the position last given to [`Speaker::set_mouth`].
    pub fn mouth_position(&self) -> [f32; 3] {
        self.mouth_at
    }

    /// The backend, for tests and for advancing a mock backend.
    pub fn backend_mut(&mut self) -> &mut B {
        self.manager.backend_mut()
    }
}

impl Speaker<MockBackend> {
    /// A speaker with no device, at `sample_rate`, advanced by [`Self::advance`].
    pub fn silent(sample_rate: u32) -> Result<Self, VoiceError> {
        Speaker::new(MockBackendSettings { sample_rate })
    }

    /// Renders up to `seconds` of audio into nowhere, moving playback on as a sound card
    /// would, in whole internal buffers. Returns the seconds actually rendered, so a caller
    /// advancing by frame times can carry the remainder to the next frame.
    pub fn advance(&mut self, seconds: f64, sample_rate: u32) -> f64 {
        // kira's mock backend processes one internal buffer per call.
        let buffer_s = INTERNAL_BUFFER as f64 / f64::from(sample_rate.max(1));
        let buffers = (seconds / buffer_s + 1e-9).floor().max(0.0) as usize;
        for _ in 0..buffers {
            let backend = self.manager.backend_mut();
            backend.on_start_processing();
            backend.process();
        }
        buffers as f64 * buffer_s
    }
}

fn sound_data(sample_rate: u32, samples: &[f32]) -> StaticSoundData {
    StaticSoundData {
        sample_rate,
        frames: samples.iter().map(|s| Frame::from_mono(*s)).collect(),
        settings: StaticSoundSettings::default(),
        slice: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdspace_core::Band;
    use holdspace_core::expression::lipsync::{MouthTrack, Viseme};
    use holdspace_core::expression::prosody::Prosody;
    use holdspace_core::scenario::model::Voice;

    use crate::render::render_line;

    const RATE: u32 = 48_000;

    /// Plays a line said by flite on kira's mock backend and follows the mouth by the
    /// playback position alone: open in the middle of each vowel that plays, shut in the
    /// middle of each /m b p/.
    #[test]
    fn playback_position_drives_the_mouth() {
        playback_drives_the_mouth(&Voice::default());
    }

    /// The same with the neural voice's timings (Kokoro's per-phoneme durations); and,
    /// on its audio, the closures are quieter than the open vowels around them, so the
    /// timings are the audio's (before the durations were moved to the audio, the
    /// closures were twice as loud as the vowels).
    #[test]
    fn playback_position_drives_the_mouth_with_the_neural_voice() {
        let voice = Voice {
            voice: "bf_emma".into(),
            ..Voice::default()
        };
        let speech = playback_drives_the_mouth(&voice);
        assert_eq!(speech.sample_rate, crate::kokoro::model::SAMPLE_RATE, "said by Kokoro");
        let MouthTrack::Visemes(keys) = &speech.mouth else {
            panic!("visemes")
        };
        let level = |key: &holdspace_core::expression::lipsync::VisemeKey| {
            let rate = speech.sample_rate as f32;
            let middle = (key.start_s + key.end_s) / 2.0;
            let (from, to) = (((middle - 0.015) * rate) as usize, ((middle + 0.015) * rate) as usize);
            let part = &speech.samples[from.min(speech.samples.len())..to.min(speech.samples.len())];
            (part.iter().map(|x| x * x).sum::<f32>() / part.len().max(1) as f32).sqrt()
        };
        let mean = |v: Viseme| {
            let levels: Vec<f32> = keys.iter().filter(|k| k.viseme == v).map(level).collect();
            levels.iter().sum::<f32>() / levels.len().max(1) as f32
        };
        assert!(
            // /m/ is voiced and nearly as loud as a vowel; /p b/ are silent while shut.
            mean(Viseme::Closed) < mean(Viseme::Open) * 0.75,
            "closures {} vs open vowels {}",
            mean(Viseme::Closed),
            mean(Viseme::Open)
        );
    }

    /// A line said part by part: each longer part carries on from where the one before
    /// ends (at once if that has ended, else at its end), with nothing said twice, and
    /// the subtitle and mouth follow each part once it has taken over.
    #[test]
    fn a_line_carries_on_from_its_first_sentence_into_the_whole() {
        let voice = Voice::default();
        let p = Prosody::for_line(&voice, Band::Uneasy, &[]);
        let text = "Where is it? I paid for next-day delivery. It said Tuesday.";
        let mut parts = Vec::new();
        let whole = Arc::new(
            crate::render::render_line_in_parts(crate::Engine::Flite, text, &voice, &p, |part| parts.push(part))
                .unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!(parts.len(), 2, "a part after each sentence but the last");
        for part in &parts {
            assert_eq!(part.words.len(), whole.words.len(), "the subtitle knows the whole line");
            assert_eq!(
                &whole.samples[..part.samples.len()],
                &part.samples[..],
                "a part is exactly the start of the whole"
            );
        }
        assert!(
            parts[0].words[3].end_s.is_infinite(),
            "the second sentence is not said yet"
        );
        assert!(parts[1].words[3].end_s.is_finite() && parts[1].words[8].end_s.is_infinite());
        let (first, second) = (Arc::new(parts[0].clone()), Arc::new(parts[1].clone()));
        let mut speaker =
            Speaker::<MockBackend>::new(MockBackendSettings { sample_rate: RATE }).unwrap_or_else(|e| panic!("{e}"));
        let (first_len, second_len) = (first.duration_s(), second.duration_s());
        speaker.say(first).unwrap_or_else(|e| panic!("{e}"));
        speaker.expect_rest();
        // The first sentence plays out before the next part arrives: still speaking.
        speaker.advance(f64::from(first_len) + 0.1, RATE);
        assert!(
            speaker.is_speaking(),
            "between the sentences the customer is still speaking"
        );
        speaker
            .continue_with(Arc::clone(&second), false)
            .unwrap_or_else(|e| panic!("{e}"));
        speaker.advance(0.05, RATE);
        let t = speaker.position_s().unwrap_or(0.0);
        assert!(
            t >= first_len && t < first_len + 0.1,
            "carries on at {t} s, the first was {first_len} s"
        );
        assert!(speaker.speech().is_some_and(|s| Arc::ptr_eq(s, &second)));
        // The whole arrives while the second part still plays: it waits for its end.
        speaker
            .continue_with(Arc::clone(&whole), true)
            .unwrap_or_else(|e| panic!("{e}"));
        speaker.advance(0.1, RATE);
        assert!(
            speaker.speech().is_some_and(|s| Arc::ptr_eq(s, &second)),
            "not before its time"
        );
        let before = speaker.position_s().unwrap_or(0.0);
        speaker.advance(f64::from(second_len - before) + 0.05, RATE);
        let t = speaker.position_s().unwrap_or(0.0);
        assert!(
            speaker.speech().is_some_and(|s| Arc::ptr_eq(s, &whole)),
            "the whole takes over at {t} s"
        );
        assert!(
            t >= second_len && t < second_len + 0.1,
            "seamless: at {t} s, the second part ended at {second_len} s"
        );
        speaker.advance(f64::from(whole.duration_s()), RATE);
        assert!(!speaker.is_speaking());
        assert_eq!(
            speaker.speech().map(|s| s.subtitle_at(f32::MAX).1.len()),
            Some(0),
            "all said"
        );
    }

    fn playback_drives_the_mouth(voice: &Voice) -> Speech {
        let voice = voice.clone();
        let speech = render_line(
            "Maybe my parcel came back.",
            &voice,
            &Prosody::for_line(&voice, Band::Uneasy, &[]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let MouthTrack::Visemes(keys) = speech.mouth.clone() else {
            panic!("synthesis gives visemes")
        };
        let mut speaker =
            Speaker::<MockBackend>::new(MockBackendSettings { sample_rate: RATE }).unwrap_or_else(|e| panic!("{e}"));
        speaker.say(Arc::new(speech.clone())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(speaker.mouth_shape(), MouthShape::REST, "nothing has played yet");

        let (mut vowels, mut closures) = (0, 0);
        for key in keys.iter().filter(|k| k.end_s - k.start_s > 0.04) {
            let middle = f64::from(key.start_s + key.end_s) / 2.0;
            // Play on until the position reaches the middle of this segment.
            while speaker.position_s().is_some_and(|t| f64::from(t) < middle) {
                speaker.advance(128.0 / f64::from(RATE), RATE);
            }
            let t = speaker.position_s().unwrap_or(0.0);
            assert!((f64::from(t) - middle).abs() < 0.006, "position {t} vs {middle}");
            let mouth = speaker.mouth_shape();
            if key.viseme == Viseme::Open || key.viseme == Viseme::Round {
                assert!(mouth.jaw_open > 0.35, "{:?} at {t}: {mouth:?}", key.viseme);
                vowels += 1;
            }
            if key.viseme == Viseme::Closed {
                assert!(
                    mouth.lips_closed > 0.9 && mouth.jaw_open < 0.05,
                    "closure at {t}: {mouth:?}"
                );
                closures += 1;
            }
        }
        assert!(
            vowels >= 3 && closures >= 3,
            "{vowels} vowels, {closures} closures checked"
        );
        speaker.advance(3.0, RATE);
        assert!(!speaker.is_speaking());
        assert_eq!(speaker.mouth_shape(), MouthShape::REST);
        speech
    }

    #[test]
    fn a_new_line_cuts_off_the_old_one() {
        let voice = Voice::default();
        let p = Prosody::for_line(&voice, Band::Calm, &[]);
        let first = Arc::new(
            render_line("This is a long first line that goes on a while.", &voice, &p)
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let second = Arc::new(render_line("Second.", &voice, &p).unwrap_or_else(|e| panic!("{e}")));
        let mut speaker = Speaker::silent(RATE).unwrap_or_else(|e| panic!("{e}"));
        speaker.start_bed().unwrap_or_else(|e| panic!("{e}"));
        speaker.say(first).unwrap_or_else(|e| panic!("{e}"));
        speaker.advance(0.5, RATE);
        assert!(speaker.is_speaking());
        speaker.say(second.clone()).unwrap_or_else(|e| panic!("{e}"));
        speaker.advance(0.1, RATE);
        assert!(speaker.speech().is_some_and(|s| Arc::ptr_eq(s, &second)));
        assert!(speaker.position_s().unwrap_or(1.0) < 0.2);
        speaker.stop(CUT_FADE);
        assert!(!speaker.is_speaking());
    }
}
