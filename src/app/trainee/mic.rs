//! Where the trainee's voice comes from: the default microphone (cpal, on a thread of its
//! own that owns the stream), or WAV files played in turn (`--mic-wav`), the headless
//! twin. Both hand 16 kHz mono samples to the speech module at the frame clock's pace, so
//! everything after this point is the same path.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use holdspace_speech::resample::{To16k, to_16k};

/// Sample rate handed on.
pub const RATE: u32 = holdspace_speech::vad::RATE;

/// A source of the trainee's voice.
#[expect(
    clippy::large_enum_variant,
    reason = "one microphone per app, made once: boxing the device would buy nothing"
)]
pub enum Microphone {
    /// A sound card's input.
    Device(DeviceInput),
    /// Recorded files, one per turn.
    Files(FileFeed),
}

impl Microphone {
    /// Appends what arrived since the last call (16 kHz mono) to `out`; `dt` is the frame
    /// time, which paces the file feed.
    pub fn read(&mut self, dt: f64, out: &mut Vec<f32>) {
        match self {
            Microphone::Device(d) => d.read(out),
            Microphone::Files(f) => f.read(dt, out),
        }
    }

    /// A description for notices and logs.
    pub fn label(&self) -> String {
        match self {
            Microphone::Device(d) => d.label.clone(),
            Microphone::Files(f) => format!("{} recorded file(s)", f.total),
        }
    }
}

/// Stops the capture thread when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The default input device, captured on its own thread (cpal streams cannot move
/// between threads on every platform, so the thread that opens the stream keeps it).
pub struct DeviceInput {
    rx: Mutex<Receiver<Vec<f32>>>,
    resampler: To16k,
    label: String,
    _stop: StopOnDrop,
}

impl DeviceInput {
    /// Opens the default input device, or says why it cannot.
    pub fn open() -> Result<DeviceInput> {
        let (tx, rx) = sync_channel::<Vec<f32>>(256);
        let (ready_tx, ready_rx) = sync_channel::<Result<(u32, String), String>>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stop_thread = Arc::clone(&stop);
        std::thread::Builder::new()
            .name("holdspace-mic".to_owned())
            .spawn(move || capture_thread(tx, ready_tx, stop_thread))
            .context("starting the microphone thread")?;
        let (rate, label) = ready_rx
            .recv_timeout(Duration::from_secs(5))
            .map_err(|_| anyhow!("the microphone did not answer within 5 s"))?
            .map_err(|e| anyhow!(e))?;
        Ok(DeviceInput {
            rx: Mutex::new(rx),
            resampler: To16k::new(rate).map_err(|e| anyhow!("{e}"))?,
            label,
            _stop: StopOnDrop(stop),
        })
    }

    fn read(&mut self, out: &mut Vec<f32>) {
        let Ok(rx) = self.rx.lock() else { return };
        // Empty or disconnected: nothing more this frame.
        while let Ok(chunk) = rx.try_recv() {
            if let Err(e) = self.resampler.push(&chunk, out) {
                bevy::log::warn!("microphone: {e}");
            }
        }
    }
}

fn capture_thread(tx: SyncSender<Vec<f32>>, ready: SyncSender<Result<(u32, String), String>>, stop: Arc<AtomicBool>) {
    let opened = (|| -> Result<(cpal::Stream, u32, String), String> {
        let host = cpal::default_host();
        let device = host
            .default_input_device()
            .ok_or_else(|| "no microphone (no default input device)".to_owned())?;
        let label = device
            .description()
            .map(|d| d.name().to_owned())
            .unwrap_or_else(|_| "default microphone".to_owned());
        let supported = device
            .default_input_config()
            .map_err(|e| format!("the microphone has no usable format: {e}"))?;
        let format = supported.sample_format();
        let config = supported.config();
        let channels = usize::from(config.channels.max(1));
        let rate = config.sample_rate;
        let err = |e: cpal::Error| bevy::log::warn!("microphone stream: {e}");
        // Mixes interleaved frames to mono and hands them over; a full queue (the app
        // stalled) drops audio rather than blocking the sound card's thread.
        let send = move |mono: Vec<f32>| {
            let _ = tx.try_send(mono);
        };
        let stream = match format {
            cpal::SampleFormat::F32 => device.build_input_stream::<f32, _, _>(
                config,
                move |data, _| send(mix(data, channels, |s| s)),
                err,
                None,
            ),
            cpal::SampleFormat::I16 => device.build_input_stream::<i16, _, _>(
                config,
                move |data, _| send(mix(data, channels, |s| f32::from(s) / 32768.0)),
                err,
                None,
            ),
            cpal::SampleFormat::I32 => device.build_input_stream::<i32, _, _>(
                config,
                move |data, _| send(mix(data, channels, |s| s as f32 / 2_147_483_648.0)),
                err,
                None,
            ),
            other => return Err(format!("the microphone's sample format {other:?} is not supported")),
        }
        .map_err(|e| format!("the microphone could not be opened: {e}"))?;
        stream
            .play()
            .map_err(|e| format!("the microphone could not start: {e}"))?;
        Ok((stream, rate, label))
    })();
    match opened {
        Ok((stream, rate, label)) => {
            let _ = ready.send(Ok((rate, label)));
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
            }
            drop(stream);
        }
        Err(e) => {
            let _ = ready.send(Err(e));
        }
    }
}

fn mix<T: Copy>(data: &[T], channels: usize, to_f32: impl Fn(T) -> f32) -> Vec<f32> {
    data.chunks(channels)
        .map(|frame| frame.iter().map(|s| to_f32(*s)).sum::<f32>() / channels as f32)
        .collect()
}

/// Recorded replies, one per turn, with silence in between: what a microphone would hear
/// from a trainee who says each file's words when it is their turn.
pub struct FileFeed {
    queue: VecDeque<(PathBuf, Vec<f32>)>,
    playing: Option<(Vec<f32>, usize)>,
    owed: f64,
    total: usize,
}

impl FileFeed {
    /// Reads every file now, so a bad one fails at start-up, not mid-session.
    pub fn open(paths: &[PathBuf]) -> Result<FileFeed> {
        let mut queue = VecDeque::new();
        for path in paths {
            queue.push_back((path.clone(), read_wav_16k(path)?));
        }
        Ok(FileFeed {
            total: queue.len(),
            queue,
            playing: None,
            owed: 0.0,
        })
    }

    /// Files not yet started.
    pub fn remaining(&self) -> usize {
        self.queue.len()
    }

    /// Whether a file is being played now.
    pub fn is_playing(&self) -> bool {
        self.playing.is_some()
    }

    /// Starts the next file; returns its path, or `None` when all have been played.
    pub fn start_next(&mut self) -> Option<PathBuf> {
        let (path, samples) = self.queue.pop_front()?;
        self.playing = Some((samples, 0));
        Some(path)
    }

    fn read(&mut self, dt: f64, out: &mut Vec<f32>) {
        self.owed += dt * f64::from(RATE);
        let n = self.owed.floor() as usize;
        self.owed -= n as f64;
        for _ in 0..n {
            let sample = match self.playing.as_mut() {
                Some((samples, at)) if *at < samples.len() => {
                    *at += 1;
                    samples[*at - 1]
                }
                _ => {
                    self.playing = None;
                    0.0
                }
            };
            out.push(sample);
        }
    }
}

/// A WAV file as 16 kHz mono.
pub fn read_wav_16k(path: &Path) -> Result<Vec<f32>> {
    let (rate, mono) = holdspace_voice::wav::read_mono(path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    to_16k(&mono, rate).map_err(|e| anyhow!("{}: {e}", path.display()))
}
