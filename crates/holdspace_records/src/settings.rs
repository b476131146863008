//! The user's settings file (`settings.ron`): the trainee profile, and the optional
//! learning record store. A missing file means defaults; a broken one is reported with
//! line and column, and the defaults are used so a session can still run.

use std::path::Path;

use holdspace_core::debrief::xapi::XapiSettings;
use serde::{Deserialize, Serialize};

use crate::RecordsError;

/// Everything `settings.ron` can hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The trainee profile to record under when none is given (else `$USER`, else "trainee").
    pub profile: Option<String>,
    /// Where to send xAPI statements (off unless set).
    pub lrs: Option<LrsSettings>,
    /// Actor and activity ids for xAPI.
    pub xapi: XapiSettings,
}

/// A learning record store to POST statements to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LrsSettings {
    /// The LRS endpoint, e.g. `https://lrs.example.org/xapi/` (`statements` is appended).
    pub endpoint: String,
    /// Basic-auth user (the LRS's key).
    pub username: String,
    /// Basic-auth password (the LRS's secret).
    pub password: String,
    /// Sending can be paused without deleting the credentials.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl Settings {
    /// Reads the settings file; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Settings, RecordsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => ron::Options::default()
                .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
                .from_str(&text)
                .map_err(|e| RecordsError::Format {
                    path: path.to_path_buf(),
                    message: format!("{}:{}: {}", e.span.start.line, e.span.start.col, e.code),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(RecordsError::Io {
                path: path.to_path_buf(),
                source: e,
            }),
        }
    }

    /// The profile to use: the one asked for, else the settings', else `$USER`, else "trainee".
    pub fn profile(&self, asked: Option<&str>) -> String {
        asked
            .map(str::to_owned)
            .or_else(|| self.profile.clone())
            .or_else(|| {
                std::env::var("USER")
                    .ok()
                    .filter(|u| crate::paths::check_profile(u).is_ok())
            })
            .unwrap_or_else(|| "trainee".to_owned())
    }

    /// A warning when the file holds an LRS password that other users can read.
    pub fn exposure_warning(&self, path: &Path) -> Option<String> {
        let lrs = self.lrs.as_ref().filter(|l| !l.password.is_empty())?;
        readable_by_others(path).then(|| {
            format!(
                "{} holds the LRS password for {} and other users can read it: run chmod 600 on it",
                path.display(),
                lrs.endpoint
            )
        })
    }

    /// The LRS to send to, if one is configured and enabled.
    pub fn active_lrs(&self) -> Option<&LrsSettings> {
        self.lrs.as_ref().filter(|l| l.enabled)
    }
}

/// Whether users other than the owner may read the file.
#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

/// Other platforms protect the user's config folder by default.
#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_with_defaults_and_report_errors_with_position() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Settings::load(&dir.path().join("none.ron")).unwrap(),
            Settings::default()
        );
        let p = dir.path().join("settings.ron");
        std::fs::write(
            &p,
            r#"(profile: "sam", lrs: (endpoint: "http://127.0.0.1:9/xapi/", username: "k", password: "s"))"#,
        )
        .unwrap();
        let s = Settings::load(&p).unwrap();
        assert_eq!(s.profile(None), "sam");
        assert_eq!(s.profile(Some("alex")), "alex");
        assert!(s.active_lrs().is_some_and(|l| l.enabled));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(s.exposure_warning(&p).is_some_and(|w| w.contains("chmod 600")));
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(s.exposure_warning(&p), None);
        std::fs::write(&p, "(profile: \"sam\",\n lrss: ())").unwrap();
        let e = Settings::load(&p).unwrap_err().to_string();
        assert!(e.contains("settings.ron: 2:"), "{e}");
    }
}
