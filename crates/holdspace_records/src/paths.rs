//! Where records and settings live: the XDG data and config directories, or folders given
//! on the command line or in `HOLDSPACE_DATA_DIR` / `HOLDSPACE_SETTINGS` (tests, kiosks,
//! shared training-room machines).

use std::path::{Path, PathBuf};

use crate::RecordsError;

/// Environment variable overriding the data folder.
pub const DATA_ENV: &str = "HOLDSPACE_DATA_DIR";
/// Environment variable overriding the settings file.
pub const SETTINGS_ENV: &str = "HOLDSPACE_SETTINGS";

/// The folders Holdspace reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locations {
    /// Records root: `profiles/<name>/sessions/<id>/` and `lrs-queue/` live here.
    pub data: PathBuf,
    /// The settings file (`settings.ron`); it need not exist.
    pub settings: PathBuf,
}

impl Locations {
    /// The folders to use: explicit ones first, then the environment, then XDG
    /// (`~/.local/share/holdspace`, `~/.config/holdspace/settings.ron`).
    pub fn resolve(data: Option<&Path>, settings: Option<&Path>) -> Locations {
        let data = data
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(DATA_ENV).map(PathBuf::from))
            .or_else(|| dirs::data_dir().map(|d| d.join("holdspace")))
            .unwrap_or_else(|| PathBuf::from(".holdspace"));
        let settings = settings
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(SETTINGS_ENV).map(PathBuf::from))
            .or_else(|| dirs::config_dir().map(|d| d.join("holdspace").join("settings.ron")))
            .unwrap_or_else(|| data.join("settings.ron"));
        Locations { data, settings }
    }

    /// A profile's folder.
    pub fn profile(&self, profile: &str) -> Result<PathBuf, RecordsError> {
        check_profile(profile)?;
        Ok(self.data.join("profiles").join(profile))
    }

    /// Statements waiting to be sent to the learning record store.
    pub fn lrs_queue(&self) -> PathBuf {
        self.data.join("lrs-queue")
    }
}

/// Profile names become folder names: keep them to a safe set.
pub fn check_profile(name: &str) -> Result<(), RecordsError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name.trim() == name
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(RecordsError::BadProfile(name.to_owned()))
    }
}

/// Writes a file so that a crash leaves either the old or the new contents, never half:
/// a temporary file beside it, synced, then renamed over it, then the folder synced.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RecordsError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(crate::error::io(dir))?;
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("part")
    ));
    {
        let mut f = std::fs::File::create(&tmp).map_err(crate::error::io(&tmp))?;
        f.write_all(bytes).map_err(crate::error::io(&tmp))?;
        f.sync_all().map_err(crate::error::io(&tmp))?;
    }
    std::fs::rename(&tmp, path).map_err(crate::error::io(path))?;
    sync_dir(dir);
    Ok(())
}

/// Syncs a folder so a new or renamed entry in it survives a power cut. Best effort:
/// some file systems refuse to open folders for syncing.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_names_are_safe_folder_names() {
        for good in ["sam", "Sam Jones", "team-a_01", "Zoë"] {
            assert!(check_profile(good).is_ok(), "{good}");
        }
        for bad in ["", "../x", "a/b", ".hidden", " padded", "x".repeat(65).as_str()] {
            assert!(check_profile(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn explicit_folders_win() {
        let l = Locations::resolve(Some(Path::new("/tmp/d")), Some(Path::new("/tmp/s.ron")));
        assert_eq!(l.data, PathBuf::from("/tmp/d"));
        assert_eq!(l.settings, PathBuf::from("/tmp/s.ron"));
        assert_eq!(l.profile("sam").unwrap(), PathBuf::from("/tmp/d/profiles/sam"));
    }

    #[test]
    fn an_atomic_write_replaces_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/record.json");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "second");
        assert_eq!(
            std::fs::read_dir(p.parent().unwrap()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
