//! `holdspace validate`: exit codes and compiler-style diagnostics.

use crate::{holdspace, root, scratch, text};

#[test]
fn shipped_scenarios_are_valid_without_warnings() {
    let out = holdspace(&["validate", "--strict", "scenarios/"]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("0 with errors, 0 warnings"), "{stdout}");
}

fn assert_located_error(file: &str, needle: &str, line: usize) {
    let out = holdspace(&["validate", file]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let prefix = format!("{file}:{line}:");
    let headline = stderr
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} diagnostic in:\n{stderr}"));
    assert!(headline.contains(": error: "), "{headline}");
    assert!(headline.contains(needle), "{headline} should name {needle}");
    // The span is drawn under the source line.
    assert!(stderr.contains('╰'), "{stderr}");
}

#[test]
fn syntax_error_is_located() {
    assert_located_error("tests/fixtures/bad/syntax_error.ron", "Expected comma", 9);
}

#[test]
fn unknown_id_is_located() {
    assert_located_error("tests/fixtures/bad/unknown_id.ron", "unknown step \"fridya\"", 85);
}

#[test]
fn unreachable_step_is_located() {
    assert_located_error(
        "tests/fixtures/bad/unreachable_step.ron",
        "step \"orphan\" is unreachable",
        205,
    );
}

#[test]
fn every_problem_in_a_file_is_reported_not_just_the_first() {
    let dir = scratch("many_problems");
    let src = std::fs::read_to_string(root().join("scenarios/delivery_bereavement.ron")).expect("shipped file");
    let broken = src
        .replacen("start: \"opening\"", "start: \"nowhere\"", 1)
        .replacen("intents: [Solution, PolicyWall]", "intents: []", 1)
        .replacen("id: \"hung_up\"", "id: \"timeout\"", 1);
    let path = dir.join("many.ron");
    std::fs::write(&path, broken).expect("written");
    let out = holdspace(&["validate", path.to_str().expect("utf-8 path")]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    for needle in [
        "start step \"nowhere\" does not exist",
        "reply \"refund_only\" has no intents",
        "duplicate outcome id \"timeout\"",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(stderr.matches(": error: ").count() >= 3, "{stderr}");
}

#[test]
fn a_bad_file_in_a_directory_does_not_stop_the_others() {
    let dir = scratch("mixed_dir");
    crate::copy_shipped(&dir);
    std::fs::copy(
        root().join("tests/fixtures/bad/unknown_id.ron"),
        dir.join("zz_broken.ron"),
    )
    .expect("copied");
    let out = holdspace(&["validate", dir.to_str().expect("utf-8 path")]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    let shipped = crate::shipped_ids().len();
    assert_eq!(stdout.matches("ok    ").count(), shipped, "{stdout}");
    assert!(stdout.contains("FAIL") && stdout.contains("zz_broken.ron"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "{} files checked: {shipped} valid, 1 with errors",
            shipped + 1
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains("zz_broken.ron:85:21: error: reply \"ask_friday\" goes to unknown step \"fridya\""),
        "{stderr}"
    );
}

#[test]
fn a_broken_shared_lexicon_is_reported_with_its_location() {
    let dir = scratch("bad_lexicon");
    std::fs::write(
        dir.join("lexicon.ron"),
        "LexiconFile(version: 1, entries: [(intent: Shouting, phrases: [])])",
    )
    .expect("written");
    let out = holdspace(&["validate", dir.to_str().expect("utf-8 path")]);
    let (_, stderr) = text(&out);
    assert!(!out.status.success());
    assert!(
        stderr.contains("lexicon.ron:1:") && stderr.contains("Shouting"),
        "{stderr}"
    );
}

#[test]
fn the_authoring_guide_embeds_the_current_worked_example() {
    let guide = std::fs::read_to_string(root().join("docs/authoring.md")).expect("docs/authoring.md");
    let example = std::fs::read_to_string(root().join("scenarios/delivery_bereavement.ron")).expect("example");
    assert!(
        guide.contains(&format!("```ron\n{example}```")),
        "docs/authoring.md must include scenarios/delivery_bereavement.ron verbatim: update the guide's copy"
    );
}

/// Speech recognition can only listen for words it can pronounce: an option with a word
/// outside the pronouncing dictionary (and not derivable from it) fails validation, named
/// and located, while derivable words (possessives, plurals, compounds, numbers) pass.
#[test]
fn an_option_word_the_recogniser_cannot_hear_is_a_located_error() {
    let dir = scratch("validate_unspeakable");
    let source = std::fs::read_to_string(root().join("scenarios/delivery_bereavement.ron")).expect("shipped");
    let original = "Can I take your order number, please?";
    assert!(source.contains(original));
    let edited = source.replacen(original, "Can I take your zorblaxian number, please?", 1);
    let file = dir.join("delivery_bereavement.ron");
    std::fs::write(&file, &edited).expect("written");
    let line = edited.lines().position(|l| l.contains("zorblaxian")).expect("present") + 1;
    assert_located_error(file.to_str().expect("utf-8"), "\"zorblaxian\"", line);

    let fine = source.replacen(
        original,
        "Can I take your postcode and the £63.40 fee's reference, on the 3rd?",
        1,
    );
    std::fs::write(&file, &fine).expect("written");
    let out = holdspace(&["validate", file.to_str().expect("utf-8")]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
}

/// A warning at `file:line:`, naming `needle`; the file still validates (exit 0).
fn assert_located_warning(file: &str, needle: &str, line: usize) {
    let out = holdspace(&["validate", file]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let prefix = format!("{file}:{line}:");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&prefix) && l.contains(": warning: ") && l.contains(needle)),
        "no {prefix} warning naming {needle:?} in:\n{stderr}"
    );
    // --strict turns it into a failure.
    assert_eq!(holdspace(&["validate", "--strict", file]).status.code(), Some(1));
}

#[test]
fn a_line_that_can_follow_a_reply_it_does_not_fit_is_warned_about() {
    assert_located_warning(
        "tests/fixtures/warn/route_mismatch.ron",
        "the same lines follow the question \"order_number\" and the reply \"paraphrase_late\"",
        139,
    );
}

#[test]
fn lines_that_can_never_be_said_are_warned_about() {
    let file = "tests/fixtures/warn/lines_never_said.ron";
    assert_located_warning(file, "lines under Calm are never said", 140);
    assert_located_warning(
        file,
        "follows the reply \"ask_friday\", which never leads to this step",
        154,
    );
}

#[test]
fn an_outcome_that_can_never_fire_is_warned_about() {
    assert_located_warning(
        "tests/fixtures/warn/outcome_never_fires.ron",
        "outcome \"resolved\" can never fire: \"surface_only\" comes before it",
        530,
    );
}

#[test]
fn replies_are_counted_by_what_can_be_offered_together() {
    assert_located_warning(
        "tests/fixtures/warn/offered_together.ron",
        "step \"opening\" offers only 1 of its replies when the need is hidden",
        74,
    );
}

#[test]
fn a_misspelt_intent_or_reply_id_gets_a_suggestion() {
    for (file, needle, line, suggestion) in [
        (
            "tests/fixtures/warn/misspelt_intent.ron",
            "`Paraphrse`",
            86,
            "did you mean `Paraphrase`?",
        ),
        (
            "tests/fixtures/warn/misspelt_reply.ron",
            "unknown reply \"paraphrase_lat\"",
            154,
            "did you mean `paraphrase_late`?",
        ),
    ] {
        assert_located_error(file, needle, line);
        let (_, stderr) = text(&holdspace(&["validate", file]));
        assert!(stderr.contains(suggestion), "{stderr}");
    }
}
