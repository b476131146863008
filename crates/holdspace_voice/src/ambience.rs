//! The room bed under the conversation: a quiet, loopable room tone (soft low noise and
//! a faint ventilation hum) made in code, so the counter never sounds like a vacuum and
//! no audio asset ships.

/// Seconds in one loop of the bed.
pub const LOOP_S: f32 = 6.0;

/// Renders one loop of room tone at `rate`. The end crossfades into the start, so looping
/// it has no click.
pub fn room_tone(rate: u32) -> Vec<f32> {
    let n = (rate as f32 * LOOP_S) as usize;
    let fade = (rate as f32 * 0.5) as usize;
    let mut state = 0x2545_f491u32;
    let mut brown = 0.0f32;
    let mut raw: Vec<f32> = (0..n + fade)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let white = (state as f32 / u32::MAX as f32) * 2.0 - 1.0;
            // Brown noise (integrated white, leaking back to zero) is the low rumble of a room.
            brown = 0.995 * brown + 0.02 * white;
            let t = i as f32 / rate as f32;
            let hum =
                0.004 * (std::f32::consts::TAU * 100.0 * t).sin() + 0.002 * (std::f32::consts::TAU * 200.0 * t).sin();
            0.03 * brown + hum
        })
        .collect();
    // Crossfade the tail into the head.
    for i in 0..fade {
        let w = i as f32 / fade as f32;
        raw[i] = raw[i] * w + raw[n + i] * (1.0 - w);
    }
    raw.truncate(n);
    raw
}

#[cfg(test)]
mod tests {
    use super::*;
    use holdspace_core::analysis::signal::rms_dbfs;

    #[test]
    fn room_tone_is_quiet_but_present_and_loops_cleanly() {
        let bed = room_tone(16_000);
        let level = rms_dbfs(&bed);
        assert!((-60.0..-35.0).contains(&level), "{level} dBFS");
        let (first, last) = (bed[0], bed[bed.len() - 1]);
        assert!((first - last).abs() < 0.01, "seam jumps from {last} to {first}");
    }
}
