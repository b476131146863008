//! The one integration-test binary: runs the `holdspace` command as users and CI do,
//! and drives the app's plugins headless. One binary keeps link time and disk down
//! (each extra one links Bevy again); each concern is a module:
//! `cli_validate` (diagnostics and exit codes), `cli_simulate` (records and determinism),
//! `cli_tools` (play, graph, explore), `app_runner` (the scenario-runner adapter under
//! `MinimalPlugins`), `app_speech` (a session said from WAV files), `app_voice` (the customer's voice), `app_render` (the real app under Xvfb + lavapipe, judged by its PNGs), `app_xr` (VR's platform choice and the headset's controls without a headset),
//! `records` (journals, exports, the LRS queue, the HTML report in Chromium, progress).

#![expect(
    clippy::expect_used,
    reason = "a failing test should stop with a message saying what broke"
)]

mod app_avatar;
mod app_library;
mod app_render;
mod app_runner;
mod app_speech;
mod app_voice;
mod app_xr;
mod cli_say;
mod cli_simulate;
mod cli_tools;
mod cli_validate;
mod records;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The repository root (tests run the binary against the shipped files).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `holdspace` with arguments from the repository root.
pub fn holdspace(args: &[&str]) -> Output {
    holdspace_with_stdin(args, "")
}

/// Runs `holdspace` feeding `stdin`.
pub fn holdspace_with_stdin(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_holdspace"))
        .args(args)
        .envs(isolated_records())
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("holdspace starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin written");
    child.wait_with_output().expect("holdspace finishes")
}

/// Environment that keeps a test's records out of the user's data folder (tests that
/// look at records pass their own `--data-dir`, which wins).
pub fn isolated_records() -> [(&'static str, PathBuf); 2] {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("records_default");
    [
        ("HOLDSPACE_DATA_DIR", dir.join("data")),
        ("HOLDSPACE_SETTINGS", dir.join("no-settings.ron")),
    ]
}

/// Standard output and error as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A fresh scratch directory under the target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Ids of the shipped scenarios (file stems).
pub fn shipped_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && !p.ends_with("lexicon.ron"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    ids.sort();
    ids
}

/// Copies the shipped scenarios (and lexicon) into `dir`, for tests that add a bad file.
pub fn copy_shipped(dir: &Path) {
    for entry in std::fs::read_dir(root().join("scenarios")).expect("scenarios/") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copied");
    }
}

/// `xvfb-run … holdspace run`, with records kept out of the user's folder (a test's own
/// `--data-dir` wins).
pub fn app_under_xvfb() -> Command {
    let mut command = Command::new("xvfb-run");
    command
        .args([
            "-a",
            "-s",
            "-screen 0 1280x720x24",
            env!("CARGO_BIN_EXE_holdspace"),
            "run",
        ])
        .envs(isolated_records())
        .current_dir(root());
    command
}

/// Runs a command to the end; returns whether it succeeded and its output.
pub fn run_logged(mut command: Command) -> (bool, String) {
    let out = command
        .output()
        .expect("xvfb-run starts (install the xvfb package: bash scripts/test.sh does)");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), log)
}

/// A decoded RGB screenshot.
pub struct Shot {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    rgb: Vec<u8>,
}

impl Shot {
    /// Decodes a PNG file (panics with the path when it cannot).
    pub fn open(path: &Path) -> Shot {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .expect("a PNG");
        let mut buf = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut buf).expect("a frame");
        let channels = info.color_type.samples();
        let rgb = buf[..info.buffer_size()]
            .chunks(channels)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        Shot {
            width: info.width as usize,
            height: info.height as usize,
            rgb,
        }
    }

    /// The RGB of one pixel.
    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Pixel coordinates of a region given as fractions of the image.
    pub fn region(&self, r: [f32; 4]) -> impl Iterator<Item = (usize, usize)> + use<> {
        let scale = |f: f32, n: usize| ((f * n as f32) as usize).min(n);
        let (x0, x1) = (scale(r[0], self.width), scale(r[2], self.width));
        let (y0, y1) = (scale(r[1], self.height), scale(r[3], self.height));
        (y0..y1).flat_map(move |y| (x0..x1).map(move |x| (x, y)))
    }

    /// Share of pixels in a region (fractions of the image) within `tol` of `color`.
    pub fn share(&self, region: [f32; 4], color: [u8; 3], tol: i32) -> f32 {
        let (mut hits, mut all) = (0usize, 0usize);
        for (x, y) in self.region(region) {
            let p = self.pixel(x, y);
            all += 1;
            if (0..3).all(|c| (i32::from(p[c]) - i32::from(color[c])).abs() <= tol) {
                hits += 1;
            }
        }
        hits as f32 / all.max(1) as f32
    }

    /// Distinct colours (coarsely quantised): a blank or single-colour image has very few.
    pub fn distinct_colors(&self) -> usize {
        let mut seen = std::collections::BTreeSet::new();
        for p in self.rgb.chunks(3) {
            seen.insert((p[0] / 16, p[1] / 16, p[2] / 16));
        }
        seen.len()
    }

    /// Mean brightness (0..255) over a region.
    pub fn brightness(&self, region: [f32; 4]) -> f32 {
        let (mut total, mut all) = (0u64, 0usize);
        for (x, y) in self.region(region) {
            total += self.pixel(x, y).iter().map(|&c| u64::from(c)).sum::<u64>();
            all += 3;
        }
        total as f32 / all.max(1) as f32
    }

    /// Whether a notice banner (the dark grey panel the app shows problems in, top centre)
    /// is over the room's light wall.
    pub fn has_notice_banner(&self) -> bool {
        // The theme's PANEL, blended over the wall, reads as a neutral dark grey.
        let (mut grey, mut all) = (0usize, 0usize);
        for (x, y) in self.region([0.25, 0.02, 0.75, 0.07]) {
            let p = self.pixel(x, y);
            let (lo, hi) = (*p.iter().min().unwrap_or(&0), *p.iter().max().unwrap_or(&0));
            all += 1;
            if (24..=110).contains(&lo) && hi <= 110 && hi - lo <= 28 {
                grey += 1;
            }
        }
        grey as f32 / all.max(1) as f32 > 0.55
    }

    /// A region as a contact-sheet panel.
    pub fn crop(&self, x0: usize, y0: usize, w: usize, h: usize) -> holdspace::app::dev::sheet::Panel {
        let mut rgb = Vec::with_capacity(w * h * 3);
        for y in y0..y0 + h {
            for x in x0..x0 + w {
                rgb.extend_from_slice(&self.pixel(x, y));
            }
        }
        holdspace::app::dev::sheet::Panel {
            width: w,
            height: h,
            rgb,
        }
    }

    /// Panics unless the picture shows something: not black, not one flat colour.
    pub fn assert_drawn(&self, what: &str) {
        let brightness = self.brightness([0.0, 0.0, 1.0, 1.0]);
        let colours = self.distinct_colors();
        assert!(
            brightness > 12.0 && colours >= 12,
            "{what}: a blank frame (mean brightness {brightness:.1}, {colours} colours)"
        );
    }

    /// Mean absolute difference per channel over a region.
    pub fn difference(&self, other: &Shot, region: [f32; 4]) -> f32 {
        let (mut total, mut all) = (0u64, 0usize);
        for (x, y) in self.region(region) {
            let (a, b) = (self.pixel(x, y), other.pixel(x, y));
            total += (0..3).map(|c| u64::from(a[c].abs_diff(b[c]))).sum::<u64>();
            all += 3;
        }
        total as f32 / all.max(1) as f32
    }
}

#[test]
#[should_panic(expected = "a blank frame")]
fn the_screenshot_check_fails_on_a_black_frame() {
    let (width, height) = (64, 36);
    Shot {
        width,
        height,
        rgb: vec![0; width * height * 3],
    }
    .assert_drawn("black");
}

#[test]
fn the_screenshot_check_sees_a_notice_banner() {
    let (width, height) = (200, 100);
    // A beige wall, then the panel colour across the top centre.
    let mut rgb = [200u8, 190, 170].repeat(width * height);
    for y in 2..8 {
        for x in 40..160 {
            let i = (y * width + x) * 3;
            rgb[i..i + 3].copy_from_slice(&[66, 64, 68]);
        }
    }
    let with = Shot { width, height, rgb };
    assert!(with.has_notice_banner());
    let without = Shot {
        width,
        height,
        rgb: [200u8, 190, 170].repeat(width * height),
    };
    assert!(!without.has_notice_banner());
}
