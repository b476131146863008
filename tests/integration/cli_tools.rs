//! `holdspace play`, `graph` and `explore`: the author's loop.

use crate::{holdspace, holdspace_with_stdin, shipped_ids, text};

#[test]
fn play_shows_lines_bands_options_and_a_debrief() {
    let out = holdspace_with_stdin(&["play", "delivery_bereavement", "--seed", "3"], "2\n1\n1\n");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Margaret Hale ["), "{stdout}");
    assert!(stdout.contains("  1. "), "numbered options: {stdout}");
    assert!(stdout.contains("══ Debrief"), "{stdout}");
    assert!(stdout.contains("To reflect on:"), "{stdout}");
}

#[test]
fn play_in_open_mode_takes_free_text() {
    let input = "So it was meant to come Tuesday and you need it by Friday.\nWhat's happening on Friday?\n:q\n";
    let out = holdspace_with_stdin(&["play", "delivery_bereavement", "--open", "--seed", "3"], input);
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    let conversation = stdout.split("══ Debrief").next().unwrap_or_default();
    assert!(
        !conversation.contains("  1. "),
        "open mode shows no options: {conversation}"
    );
    assert!(stdout.contains("paraphrasing"), "the reasons name the move: {stdout}");
}

#[test]
fn graph_prints_mermaid_and_dot() {
    let (mermaid, _) = text(&holdspace(&["graph", "delivery_bereavement"]));
    assert!(mermaid.starts_with("flowchart TD"), "{mermaid}");
    assert!(
        mermaid.contains("step_opening") && mermaid.contains("out_resolved"),
        "{mermaid}"
    );
    let (dot, _) = text(&holdspace(&["graph", "delivery_bereavement", "--format", "dot"]));
    assert!(dot.starts_with("digraph"), "{dot}");
    assert!(dot.contains("step_opening -> step_friday"), "{dot}");
}

#[test]
fn explore_reaches_every_outcome_of_every_shipped_scenario() {
    for id in shipped_ids() {
        let out = holdspace(&["explore", &id, "--check"]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{id}:\n{stdout}\n{stderr}");
        assert!(!stdout.contains("UNREACHABLE"), "{stdout}");
        assert!(stdout.contains("Hidden need revealed, shortest path:"), "{stdout}");
        assert!(stdout.contains("Dead ends: none"), "{stdout}");
        assert!(stdout.contains("Lines by route"), "{stdout}");
        if id == "delivery_bereavement" {
            // Per step, the lines each move in can produce, and what they answer.
            let details = stdout
                .lines()
                .find(|l| l.trim_start().starts_with("after paraphrase_late"))
                .unwrap_or_else(|| panic!("no route for the paraphrase:\n{stdout}"));
            assert!(details.contains("details/any/0 (written for that reply)"), "{details}");
            let policy = stdout
                .lines()
                .find(|l| l.trim_start().starts_with("after policy_window"))
                .unwrap_or_else(|| panic!("no route for the policy wall:\n{stdout}"));
            assert!(policy.contains("(written for a policy wall)"), "{policy}");
        }
    }
}
