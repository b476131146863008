//! The app's scenario library: bad files are listed with their diagnostic, and an edit
//! on disk is picked up by `refresh` (the select screen calls it twice a second).

use holdspace::app::library::{EntryStatus, ScenarioLibrary};

use crate::{copy_shipped, root, scratch};

#[test]
fn an_edit_that_breaks_a_scenario_shows_its_diagnostic_and_a_fix_restores_it() {
    let dir = scratch("library_hot_reload");
    copy_shipped(&dir);
    let mut library = ScenarioLibrary::load(&dir);
    let generation = library.generation;
    assert!(library.find("delivery_bereavement").is_some());
    assert!(!library.refresh(), "nothing changed, nothing reloaded");

    let file = dir.join("delivery_bereavement.ron");
    let good = std::fs::read_to_string(&file).expect("readable");
    std::fs::write(&file, good.replacen("start: \"opening\"", "start: \"openning\"", 1)).expect("written");
    assert!(library.refresh(), "the edit is noticed");
    assert!(library.generation > generation);
    assert!(
        library.find("delivery_bereavement").is_none(),
        "the broken scenario is not playable"
    );
    let broken = library.entries.iter().find(|e| e.path == file).expect("still listed");
    match &broken.status {
        EntryStatus::Broken { headline, .. } => {
            assert!(
                headline.contains("delivery_bereavement.ron:")
                    && headline.contains("start step \"openning\" does not exist"),
                "{headline}"
            );
        }
        EntryStatus::Ready(_) => panic!("should be broken"),
    }
    assert!(
        library.find("locked_out_panic").is_some(),
        "the other scenarios still load"
    );

    std::fs::write(&file, good).expect("written");
    assert!(library.refresh());
    assert!(
        library.find("delivery_bereavement").is_some(),
        "fixing the file makes it playable again"
    );
}

#[test]
fn a_missing_folder_gives_an_empty_library_not_a_crash() {
    let library = ScenarioLibrary::load(&root().join("no-such-folder"));
    assert!(library.find("delivery_bereavement").is_none());
    assert!(matches!(
        library.entries.first().map(|e| &e.status),
        Some(EntryStatus::Broken { .. })
    ));
}
