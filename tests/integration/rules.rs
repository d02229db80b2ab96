//! `--rules DIR`: a council's own rule files replace the embedded ones by name, change the
//! forecast as the docs say, and every kind of broken rule file is reported with its place and
//! exit 2 (fixtures in fixtures/rules/).

use std::collections::BTreeMap;

use crate::common::{bad, json, ok, routemap_env};
use crate::test::TempDir;

/// Each outcome's status in `forecast --format json`, by code.
fn statuses(args: &[&str]) -> BTreeMap<String, String> {
    let mut all = vec!["forecast", "--format", "json"];
    all.extend_from_slice(args);
    json(&ok(&all))["outcomes"]
        .as_array()
        .expect("an outcomes array")
        .iter()
        .map(|o| {
            let text = |key: &str| o[key].as_str().expect("a string").to_string();
            (text("code"), text("status"))
        })
        .collect()
}

#[test]
fn not_started_work_near_the_deadline_is_off_track() {
    let default = statuses(&[]);
    let custom = statuses(&["--rules", "fixtures/rules/not-started-off-track"]);
    let changed: Vec<(&str, &str, &str)> = default
        .iter()
        .filter(|(code, status)| custom[*code] != **status)
        .map(|(code, status)| (code.as_str(), status.as_str(), custom[code].as_str()))
        .collect();
    // Each has a Not started task and under 92 days of slack: G11 (action 32, e-billing, 91
    // days), G19 (63.1, FOI records research, March 2006), G3 and G4 (actions 2 and 7, March
    // 2006), R27 (70.3, web integration, December 2005), R25 (66.1, service standards, 31
    // days once web development phase 3 dates it) and G12 (smart cards, dated by the work that
    // waits on the national project).
    assert_eq!(
        changed,
        vec![
            ("G11", "at_risk", "off_track"),
            ("G12", "at_risk", "off_track"),
            ("G19", "at_risk", "off_track"),
            ("G3", "at_risk", "off_track"),
            ("G4", "at_risk", "off_track"),
            ("R25", "at_risk", "off_track"),
            ("R27", "at_risk", "off_track")
        ]
    );
}

#[test]
fn custom_rules_are_named_in_the_output() {
    let out = ok(&["--rules", "fixtures/rules/not-started-off-track", "explain", "G11"]);
    assert!(out.contains("Status: off track (1 task(s) not started"), "{out}");
    assert!(out.contains("fixtures/rules/not-started-off-track/classify.rhai"), "{out}");
    // Files the directory does not replace stay the embedded ones.
    let f = json(&ok(&[
        "--rules",
        "fixtures/rules/not-started-off-track",
        "forecast",
        "--format",
        "json",
    ]));
    assert_eq!(
        f["rules"]["files"],
        serde_json::json!([
            "<embedded>/rules/deadlines.rhai",
            "<embedded>/rules/forecast.rhai",
            "fixtures/rules/not-started-off-track/classify.rhai",
            "<embedded>/rules/funding.rhai",
            "<embedded>/rules/risk.rhai",
            "<embedded>/rules/bvpi.rhai",
            "<embedded>/rules/ieg.rhai",
            "<embedded>/rules/simulate.rhai"
        ])
    );
    // Which of them came from the directory.
    assert_eq!(
        f["rules"]["from_directory"],
        serde_json::json!(["fixtures/rules/not-started-off-track/classify.rhai"])
    );
    let default = json(&ok(&["forecast", "--format", "json"]));
    assert_ne!(f["rules"]["hash"], default["rules"]["hash"]);
    assert!(default["rules"].get("from_directory").is_none(), "{}", default["rules"]);
}

#[test]
fn check_accepts_a_valid_rules_directory() {
    ok(&["--rules", "fixtures/rules/not-started-off-track", "check", "--format", "json"]);
}

#[test]
fn a_rule_that_fails_at_run_time_is_located() {
    let stderr = bad(&["--rules", "fixtures/rules/failing", "forecast"]);
    assert!(stderr.contains("fixtures/rules/failing/classify.rhai:8:18"), "{stderr}");
    assert!(stderr.contains("slack_margin"), "{stderr}");
    insta::assert_snapshot!("failing_stderr", stderr);
}

#[test]
fn a_rule_that_never_returns_is_stopped_and_located() {
    let stderr = bad(&["--rules", "fixtures/rules/endless", "forecast"]);
    assert!(stderr.contains("stopped"), "{stderr}");
    // The hook starts on line 4 and the loop is on lines 6 to 8 of the fixture; either will do.
    assert!(
        ["4:", "6:", "7:", "8:"]
            .iter()
            .any(|l| stderr.contains(&format!("fixtures/rules/endless/forecast.rhai:{l}"))),
        "the error names the file but not where in it the rule was stopped:\n{stderr}"
    );
    // Recorded once the location is there: what a user sees.
    insta::assert_snapshot!("endless_stderr", stderr);
}

#[test]
fn a_syntax_error_is_located() {
    let stderr = bad(&["--rules", "fixtures/rules/syntax", "check"]);
    assert!(stderr.contains("fixtures/rules/syntax/deadlines.rhai:5:"), "{stderr}");
    insta::assert_snapshot!("syntax_stderr", stderr);
    // Every command refuses the rules, not just `check`.
    bad(&["--rules", "fixtures/rules/syntax", "forecast"]);
}

/// Embedded rule files compile when first called, but a file from `--rules` compiles as the
/// rules load: a broken file is refused by every command, whether or not it calls that file.
#[test]
fn a_broken_rule_file_the_command_does_not_call_is_still_refused() {
    let dir = TempDir::new("rules-unused-broken");
    std::fs::write(dir.path("ieg.rhai"), "fn position(o {\n").expect("write the rule");
    let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
    assert!(stderr.contains("ieg.rhai:1:"), "{stderr}");
    // `forecast` does not call ieg.rhai: with the embedded one it runs.
    ok(&["forecast"]);
}

/// Where a rule file came from decides when it compiles, not the name it is shown by: the files
/// of a directory named like the embedded rules' `<embedded>` are still the council's own.
#[test]
fn a_rules_directory_named_like_the_embedded_rules_is_still_checked_as_it_loads() {
    let dir = TempDir::new("rules-embedded-name");
    let rules = std::path::Path::new(&dir.path("")).join("<embedded>");
    std::fs::create_dir(&rules).expect("the file system works");
    std::fs::write(rules.join("ieg.rhai"), "fn position(o {\n").expect("write the rule");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_routemap"))
        .args(["--rules", "<embedded>", "forecast"])
        .current_dir(dir.path(""))
        .output()
        .expect("routemap runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("<embedded>/ieg.rhai:1:"), "{stderr}");
}

#[test]
fn a_misspelt_rule_file_names_the_files_routemap_reads() {
    let stderr = bad(&["--rules", "fixtures/rules/unknown-name", "forecast"]);
    assert!(stderr.contains("clasify.rhai"), "{stderr}");
    for known in ["deadlines.rhai", "forecast.rhai", "classify.rhai"] {
        assert!(stderr.contains(known), "{stderr}");
    }
    insta::assert_snapshot!("unknown_name_stderr", stderr);
}

#[test]
fn a_missing_rules_directory_is_an_error() {
    let stderr = bad(&["--rules", "fixtures/rules/does-not-exist", "forecast"]);
    assert!(stderr.contains("fixtures/rules/does-not-exist"), "{stderr}");
    insta::assert_snapshot!("missing_dir_stderr", stderr);
}

/// A council's forecast.rhai written before the `done_on` hook still works: the built-in hook
/// dates its complete work, and the forecast is the built-in one's.
#[test]
fn a_forecast_file_without_done_on_uses_the_built_in_hook() {
    let custom = json(&ok(&[
        "--rules",
        "fixtures/rules/forecast-before-done-on",
        "forecast",
        "--format",
        "json",
    ]));
    let default = json(&ok(&["forecast", "--format", "json"]));
    assert_eq!(custom["outcomes"], default["outcomes"]);
    assert_ne!(custom["rules"]["hash"], default["rules"]["hash"]);
}

#[test]
fn complete_work_dated_after_the_as_of_date_is_refused() {
    let stderr = bad(&["--rules", "fixtures/rules/done-in-future", "forecast"]);
    assert!(
        stderr.contains("rule `done_on` in fixtures/rules/done-in-future/forecast.rhai"),
        "{stderr}"
    );
    assert!(stderr.contains("fixtures/rules/done-in-future/forecast.rhai:"), "{stderr}");
}

/// A `risk.rhai` written before the `propose` hook existed still works: the built-in hook picks
/// the outcomes that get proposed actions.
#[test]
fn a_risk_file_without_propose_uses_the_built_in_hook() {
    let custom = ok(&["--rules", "fixtures/rules/risk-before-propose", "risk-report"]);
    let default = ok(&["risk-report"]);
    let actions = |md: &str| md.lines().filter(|l| l.contains(" | 31 December 2005 | ")).count();
    assert!(actions(&default) > 0);
    assert_eq!(actions(&custom), actions(&default));
}

// ---- hostile rules: the sandbox, the time budget, what hooks return ----------------------------

/// The exit code and standard error of a run, for a snapshot; the run must have failed as bad
/// input does (exit 2, nothing on standard output).
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let run = routemap_env(args, env);
    assert_eq!(run.code, 2, "routemap {args:?} exited {}:\n{}", run.code, run.stderr);
    assert_eq!(run.stdout, "", "routemap {args:?} wrote to stdout");
    format!("exit code: {}\n\n{}", run.code, run.stderr)
}

/// Scripts cannot wait: rhai's `sleep` is not there, for whole or fractional seconds.
#[test]
fn a_rule_cannot_sleep() {
    let text = refused(&["--rules", "fixtures/rules/sleep", "forecast"], &[]);
    assert!(text.contains("Function not found: sleep"), "{text}");
    insta::assert_snapshot!("sleep_stderr", text);
    let dir = TempDir::new("rules-sleep");
    for call in ["sleep(1)", "sleep(1e300)", "sleep(-1)", "exit()", "parse_json(\"{}\")"] {
        let script =
            format!("fn classify(o) {{ {call}; #{{ status: \"on_track\", reason: \"\" }} }}\n");
        std::fs::write(dir.path("classify.rhai"), script).expect("write the rule");
        let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
        assert!(stderr.contains("Function not found"), "{call}: {stderr}");
        assert!(stderr.contains("classify.rhai:1:"), "{call}: {stderr}");
    }
}

#[test]
fn a_date_moved_off_the_calendar_is_an_error_not_a_crash() {
    let text = refused(&["--rules", "fixtures/rules/add-days-overflow", "forecast"], &[]);
    assert!(text.contains("leaves the calendar"), "{text}");
    insta::assert_snapshot!("add_days_overflow_stderr", text);
}

/// Every function of the Date API, called from a rule with extreme arguments, fails as a located
/// rule error or works: never a crash (exit 101).
#[test]
fn the_date_api_survives_extreme_arguments() {
    let dir = TempDir::new("rules-extremes");
    let calls = [
        "date(9223372036854775807, 1, 1)",
        "date(-9223372036854775808, 1, 1)",
        "date(2005, 13, 1)",
        "date(2005, -1, 1)",
        "date(2005, 2, 29)",
        "date(2005, 1, 1).add_days(9223372036854775807)",
        "date(2005, 1, 1).add_days(-9223372036854775808)",
        "date(2005, 1, 1).add_days(106751991167300)",
        "date(2005, 1, 1).add_months(9223372036854775807)",
        "date(2005, 1, 1).add_months(4294967295)",
        "date(2005, 1, 1).add_months(-1)",
        "date(2005, 1, 1).add_days(1e300)",
        "date(1e300, 1, 1)",
    ];
    for call in calls {
        std::fs::write(dir.path("deadlines.rhai"), format!("fn deadline(o) {{ {call} }}\n"))
            .expect("write the rule");
        let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
        assert!(stderr.contains("deadlines.rhai:1:"), "{call}: {stderr}");
    }
    let fine = [
        "pounds(-9223372036854775808); date(2005, 12, 31)",
        "pounds(9223372036854775807); date(2005, 12, 31)",
        "let x = date(-262143, 1, 1) - date(262142, 12, 31); date(2005, 12, 31)",
        "long_date(date(262142, 12, 31)); date(2005, 12, 31)",
    ];
    for call in fine {
        std::fs::write(dir.path("deadlines.rhai"), format!("fn deadline(o) {{ {call} }}\n"))
            .expect("write the rule");
        ok(&["--rules", &dir.path(""), "check", "--format", "json"]);
        ok(&["--rules", &dir.path(""), "forecast", "--format", "json"]);
    }
}

/// A run's rules have a wall-clock budget, set by ROUTEMAP_RULES_TIME_LIMIT: a rule that takes
/// too long over the whole run is stopped and named. (The budget here is a millisecond, and the
/// rule spends millions of operations in all, so the test does not depend on the machine.)
#[test]
fn a_slow_rule_is_stopped_by_the_time_budget() {
    let env = [("ROUTEMAP_RULES_TIME_LIMIT", "0.001")];
    let text = refused(&["--rules", "fixtures/rules/slow", "forecast"], &env);
    assert!(text.contains("ROUTEMAP_RULES_TIME_LIMIT"), "{text}");
    insta::assert_snapshot!("slow_stderr", text);
    // The default budget lets the same rules finish.
    ok(&["--rules", "fixtures/rules/slow", "forecast", "--format", "json"]);
    let text = refused(&["forecast"], &[("ROUTEMAP_RULES_TIME_LIMIT", "soon")]);
    insta::assert_snapshot!("bad_time_limit_stderr", text);
}

#[test]
fn a_misspelt_key_in_what_a_rule_returns_is_an_error() {
    let text = refused(&["--rules", "fixtures/rules/misspelt-key", "forecast"], &[]);
    assert!(text.contains("unknown key `assumtion`"), "{text}");
    assert!(text.contains("did you mean `assumption`?"), "{text}");
    insta::assert_snapshot!("misspelt_key_stderr", text);
}

#[test]
fn a_status_with_no_reason_is_an_error() {
    let text = refused(&["--rules", "fixtures/rules/no-reason", "forecast"], &[]);
    assert!(text.contains("no `reason`"), "{text}");
    insta::assert_snapshot!("no_reason_stderr", text);
}

#[test]
fn unfinished_work_dated_before_the_as_of_date_is_refused() {
    let text = refused(&["--rules", "fixtures/rules/before-as-of", "forecast"], &[]);
    assert!(text.contains("1900-01-01, before the as-of date 2005-04-13"), "{text}");
    insta::assert_snapshot!("before_as_of_stderr", text);
}

/// Keys a hook does not return, and keys it must return, for each hook that returns a map.
#[test]
fn every_hook_map_is_checked_for_unknown_and_missing_keys() {
    let dir = TempDir::new("rules-keys");
    let cases = [
        (
            "forecast",
            "fn own_finish(w) { #{ date: w.as_of, colour: \"red\" } }",
            "unknown key `colour`",
        ),
        ("forecast", "fn own_finish(w) { #{ follows: true } }", "no `assumption`"),
        ("forecast", "fn own_finish(w) { #{ unknown: true } }", "no `reason`"),
        (
            "forecast",
            "fn own_finish(w) { #{ unknown: false, reason: \"x\" } }",
            "`unknown` other than true",
        ),
        ("forecast", "fn own_finish(w) { #{ date: w.as_of, assumption: 3 } }", "not text"),
        (
            "classify",
            "fn classify(o) { #{ status: \"on_track\", reason: \"x\", colour: 1 } }",
            "unknown key `colour`",
        ),
        ("classify", "fn classify(o) { #{ reason: \"x\" } }", "no `status`"),
        (
            "forecast",
            "fn follow_on(w, d, e) { #{ day: 0 } }\nfn own_finish(w) { #{ date: w.as_of } }",
            "unknown key `day`",
        ),
        (
            "forecast",
            "fn follow_on(w, d, e) { #{ assumption: \"x\" } }\nfn own_finish(w) { #{ date: w.as_of } }",
            "no `days`",
        ),
        (
            "forecast",
            "fn follow_on(w, d, e) { #{ days: -1 } }\nfn own_finish(w) { #{ date: w.as_of } }",
            "`days: -1`",
        ),
        (
            "funding",
            "fn stream_at_risk(s) { #{ at_risk: true } }\nfn weight(o) { 1 }\nfn share(c, s) { 0 }",
            "no `reason`",
        ),
        (
            "funding",
            "fn stream_at_risk(s) { #{ at_risk: true, reason: \"\", why: 1 } }\nfn weight(o) { 1 }\nfn share(c, s) { 0 }",
            "unknown key `why`",
        ),
    ];
    for (file, script, expected) in cases {
        let _ = std::fs::remove_file(dir.path("forecast.rhai"));
        let _ = std::fs::remove_file(dir.path("classify.rhai"));
        let _ = std::fs::remove_file(dir.path("funding.rhai"));
        std::fs::write(dir.path(&format!("{file}.rhai")), format!("{script}\n"))
            .expect("write the rule");
        let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
        assert!(stderr.contains(expected), "{script}: {stderr}");
        assert!(stderr.contains(&format!("{file}.rhai:1:")), "{script}: not located: {stderr}");
    }
    let cases = [
        ("fn assess(r, e) { #{ assessed: false } }", "no `reason`"),
        (
            "fn assess(r, e) { #{ likelihood: \"High\", impact: \"High\", likelihood_reason: \"\" } }",
            "no `impact_reason`",
        ),
        (
            "fn assess(r, e) { #{ likelihood: \"High\", impact: \"High\", likelihood_reason: \"\", impact_reason: \"\", note: 1 } }",
            "unknown key `note`",
        ),
    ];
    for (script, expected) in cases {
        std::fs::write(dir.path("risk.rhai"), format!("{script}\n")).expect("write the rule");
        let _ = std::fs::remove_file(dir.path("funding.rhai"));
        let stderr = bad(&["--rules", &dir.path(""), "risk-report"]);
        assert!(stderr.contains(expected), "{script}: {stderr}");
        assert!(stderr.contains("risk.rhai:1:"), "{script}: not located: {stderr}");
    }
}

/// What is in the rules directory is read or reported: a link to nothing, a directory or a
/// named pipe where a rule file should be, and a name that is no rule's, are errors.
#[cfg(unix)]
#[test]
fn everything_in_the_rules_directory_is_read_or_reported() {
    let dir = TempDir::new("rules-dir");
    std::os::unix::fs::symlink("nowhere.rhai", dir.path("classify.rhai")).expect("a link");
    let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
    assert!(stderr.contains("classify.rhai: it is a symbolic link to nothing"), "{stderr}");
    std::fs::remove_file(dir.path("classify.rhai")).expect("remove the link");

    std::fs::create_dir(dir.path("classify.rhai")).expect("a directory");
    let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
    assert!(stderr.contains("classify.rhai: it is a directory"), "{stderr}");
    std::fs::remove_dir(dir.path("classify.rhai")).expect("remove the directory");

    // A named pipe with no writer is refused at once, not waited on.
    let made = std::process::Command::new("mkfifo").arg(dir.path("classify.rhai")).status();
    if made.is_ok_and(|s| s.success()) {
        let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
        assert!(stderr.contains("it is not a regular file"), "{stderr}");
        std::fs::remove_file(dir.path("classify.rhai")).expect("remove the pipe");
    }

    std::fs::write(dir.path("Classify.RHAI"), "fn classify(o) { 1 }\n").expect("write");
    let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
    assert!(stderr.contains("unknown rule file"), "{stderr}");
    assert!(stderr.contains("did you mean classify.rhai?"), "{stderr}");
}
