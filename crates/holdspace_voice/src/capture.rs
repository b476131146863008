//! A kira backend that renders into memory on demand: what a sound card would have been
//! sent, sample by sample. Used to measure when a line's first sample leaves the mixer
//! (the latency benchmark) and to check the output is really audio.

use kira::backend::{Backend, Renderer};

use crate::error::VoiceError;

/// Settings for [`CaptureBackend`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureSettings {
    /// Output sample rate.
    pub sample_rate: u32,
}

/// Renders kira's mix into a buffer when asked.
pub struct CaptureBackend {
    sample_rate: u32,
    renderer: Option<Renderer>,
}

impl Backend for CaptureBackend {
    type Settings = CaptureSettings;
    type Error = VoiceError;

    fn setup(settings: CaptureSettings, _internal_buffer_size: usize) -> Result<(Self, u32), VoiceError> {
        Ok((
            CaptureBackend {
                sample_rate: settings.sample_rate,
                renderer: None,
            },
            settings.sample_rate,
        ))
    }

    fn start(&mut self, renderer: Renderer) -> Result<(), VoiceError> {
        self.renderer = Some(renderer);
        Ok(())
    }
}

impl CaptureBackend {
    /// Output rate.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Renders `frames` stereo frames, interleaved left/right, as a device callback would.
    pub fn render(&mut self, frames: usize) -> Vec<f32> {
        let mut out = vec![0.0; frames * 2];
        if let Some(renderer) = self.renderer.as_mut() {
            renderer.on_start_processing();
            renderer.process(&mut out, 2);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use holdspace_core::Band;
    use holdspace_core::analysis::signal::rms_dbfs;
    use holdspace_core::expression::prosody::Prosody;
    use holdspace_core::scenario::model::Voice;

    use super::*;
    use crate::player::Speaker;
    use crate::render::render_line;

    /// The mix really carries the voice: silent before, audible while the line plays,
    /// louder in the ear facing the customer when the listener turns.
    #[test]
    fn the_mix_carries_the_line_from_the_mouth() {
        let voice = Voice::default();
        let speech = Arc::new(
            render_line(
                "Where is my parcel?",
                &voice,
                &Prosody::for_line(&voice, Band::Angry, &[]),
            )
            .unwrap_or_else(|e| panic!("{e}")),
        );
        let mut speaker =
            Speaker::<CaptureBackend>::new(CaptureSettings { sample_rate: 48_000 }).unwrap_or_else(|e| panic!("{e}"));
        let before = speaker.backend_mut().render(4800);
        assert_eq!(rms_dbfs(&before), holdspace_core::analysis::signal::SILENCE_DBFS);
        // Customer to the listener's right: facing −z, +x is the right ear.
        speaker.set_mouth([1.0, 1.6, -1.0]);
        speaker.say(speech).unwrap_or_else(|e| panic!("{e}"));
        let mix = speaker.backend_mut().render(48_000);
        let left: Vec<f32> = mix.iter().step_by(2).copied().collect();
        let right: Vec<f32> = mix.iter().skip(1).step_by(2).copied().collect();
        let (l, r) = (rms_dbfs(&left), rms_dbfs(&right));
        assert!(r > -45.0, "audible: {r} dBFS");
        assert!(r > l + 1.0, "the right ear hears more: L {l}, R {r}");
    }
}
