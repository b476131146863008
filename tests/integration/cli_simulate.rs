//! `holdspace simulate`: the session record, byte-identical for the same arguments.

use serde_json::Value;

use crate::{holdspace, scratch, text};

fn simulate(seed: &str, script: &str) -> (String, Value) {
    let out = holdspace(&["simulate", "delivery_bereavement", "--seed", seed, "--inputs", script]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("valid JSON");
    (stdout, json)
}

const LISTENING: &str = "tests/fixtures/scripts/bereavement_listening.txt";
const RUSHED: &str = "tests/fixtures/scripts/bereavement_rushed.txt";

#[test]
fn same_seed_and_inputs_give_byte_identical_json() {
    let (a, _) = simulate("11", LISTENING);
    let (b, _) = simulate("11", LISTENING);
    assert_eq!(a, b);
}

#[test]
fn out_writes_the_same_bytes_as_stdout() {
    let dir = scratch("simulate_out");
    let path = dir.join("record.json");
    let out = holdspace(&[
        "simulate",
        "delivery_bereavement",
        "--seed",
        "11",
        "--inputs",
        LISTENING,
        "--out",
        path.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success());
    let (stdout, _) = simulate("11", LISTENING);
    assert_eq!(
        std::fs::read_to_string(path).expect("written").trim_end(),
        stdout.trim_end()
    );
}

#[test]
fn another_seed_changes_the_variation_not_the_rules() {
    let (a, ja) = simulate("11", LISTENING);
    let (b, jb) = simulate("12", LISTENING);
    assert_ne!(a, b, "a different seed should vary something");
    let turns = |j: &Value| j["record"]["turns"].as_array().expect("turns").clone();
    for (ta, tb) in turns(&ja).iter().zip(turns(&jb).iter()) {
        assert_eq!(ta["reply"], tb["reply"]);
        assert_eq!(ta["analysis"]["intents"], tb["analysis"]["intents"]);
    }
    assert_eq!(ja["record"]["outcome"]["kind"], jb["record"]["outcome"]["kind"]);
}

#[test]
fn the_listening_script_finds_the_need_and_the_rushed_one_misses_it() {
    let (_, good) = simulate("5", LISTENING);
    assert_eq!(good["record"]["outcome"]["kind"], "Resolved");
    assert_eq!(good["debrief"]["hidden_need"]["revealed_on_turn"], 2);
    let (_, bad) = simulate("5", RUSHED);
    let kind = bad["record"]["outcome"]["kind"].as_str().expect("ended").to_owned();
    assert!(
        ["SurfaceOnly", "Supervisor", "HungUp"].contains(&kind.as_str()),
        "{kind}"
    );
    assert!(bad["debrief"]["hidden_need"]["revealed_on_turn"].is_null());
    assert!(bad["debrief"]["delivery"]["interruptions"].as_u64() >= Some(2));
    let points = bad["debrief"]["turning_points"].as_array().expect("turning points");
    assert!(!points.is_empty(), "the rushed session has turning points");
    assert!(
        points.iter().any(|p| p["better_move"].is_string()),
        "escalating turns suggest a better move"
    );
}

/// Runs `simulate` on a script with the given text; returns whether it succeeded and its stderr.
fn simulate_failing_script(name: &str, script: &str) -> (bool, String) {
    let path = scratch(name).join("script.txt");
    std::fs::write(&path, script).expect("written");
    let out = holdspace(&[
        "simulate",
        "delivery_bereavement",
        "--inputs",
        path.to_str().expect("utf-8"),
    ]);
    (out.status.success(), text(&out).1)
}

#[test]
fn a_bad_script_line_is_reported_with_its_number() {
    let (ok, stderr) = simulate_failing_script("bad_script", "hello\nhi {speed=3}\n");
    assert!(!ok);
    assert!(stderr.contains("line 2") && stderr.contains("speed"), "{stderr}");
}

#[test]
fn an_option_not_on_offer_is_a_clear_error() {
    let (ok, stderr) = simulate_failing_script("not_offered", "@guarantee_and_call\n");
    assert!(!ok);
    assert!(stderr.contains("turn 1") && stderr.contains("not on offer"), "{stderr}");
}
