//! Hostile rules and rule tests: what a council's rules directory may hold that must be read
//! correctly or refused with its place and exit 2, never a panic, a hang, an invisible error or a
//! silent skip (fixtures in fixtures/rules/; files no repository can hold are made in a temporary
//! directory).

use crate::common::{bad, ok, routemap_env};
use crate::test::TempDir;

/// The exit code and standard error of a run, for a snapshot; the run must have failed as bad
/// input does (exit 2, nothing on standard output).
fn refused(args: &[&str]) -> String {
    let run = routemap_env(args, &[]);
    assert_eq!(run.code, 2, "routemap {args:?} exited {}:\n{}", run.code, run.stderr);
    assert_eq!(run.stdout, "", "routemap {args:?} wrote to stdout");
    format!("exit code: {}\n\n{}", run.code, run.stderr)
}

// ---- a byte order mark ------------------------------------------------------------------------

/// A rule file saved with a byte order mark (as Windows editors save UTF-8) is read as the same
/// script without it.
#[test]
fn a_rule_file_starting_with_a_byte_order_mark_is_read() {
    let bytes = std::fs::read("fixtures/rules/bom/ieg.rhai").expect("the fixture");
    assert!(bytes.starts_with(b"\xef\xbb\xbf"), "the fixture starts with a byte order mark");
    ok(&["--rules", "fixtures/rules/bom", "check", "--format", "json"]);
    let custom = ok(&["--rules", "fixtures/rules/bom", "ieg-return", "--format", "json"]);
    let default = ok(&["ieg-return", "--format", "json"]);
    let outcomes = |s: &str| crate::common::json(s)["outcomes"].clone();
    assert_eq!(outcomes(&custom), outcomes(&default));
}

/// An error on the first line of a file with a byte order mark is placed at the column the
/// user's editor shows: the mark is not counted.
#[test]
fn an_error_in_a_file_with_a_byte_order_mark_keeps_its_column() {
    let text = refused(&["--rules", "fixtures/rules/bom-error", "forecast"]);
    assert!(text.contains("fixtures/rules/bom-error/classify.rhai:1:37"), "{text}");
    assert!(!text.contains('\u{feff}'), "{text}");
    insta::assert_snapshot!("bom_error_stderr", text);
}

// ---- a rule whose every operation is slow ----------------------------------------------------

/// A rule within the size limits whose operations each copy or compare thousands of small
/// arrays is stopped by the limit on one call's time, with its place, not after minutes of
/// operations (the test times nothing: the message says which limit stopped it).
#[test]
fn a_rule_working_on_many_small_arrays_is_stopped() {
    let text = refused(&["--rules", "fixtures/rules/nested-arrays", "forecast"]);
    assert!(text.contains("it was stopped after running for 1 second"), "{text}");
    assert!(text.contains("fixtures/rules/nested-arrays/deadlines.rhai:"), "{text}");
    insta::assert_snapshot!("nested_arrays_stderr", text);
}

// ---- a long slip list -------------------------------------------------------------------------

/// A 9,999-item slip list given to every piece of work is kept once: the plan's pieces of work
/// share one list and one fit per class, instead of a copy each (what made a large model's
/// simulation take seconds and a gigabyte). Through the binary, the simulation runs.
#[test]
fn a_long_slip_list_is_kept_once() {
    use routemap::model::Source;
    use routemap::session::Session;
    use routemap::simulate::Plan;
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/rules/long-slip-list");
    let s = Session::open(&Source::Embedded, Some(&dir), None).expect("the routemap evaluates");
    let plan = Plan::new(&s.model, &s.graph, &s.rules, &s.assessment).expect("a plan");
    assert!(plan.sampled.len() > 100, "{} pieces of work", plan.sampled.len());
    let first = &plan.sampled[0];
    assert_eq!(first.days.len(), 9999);
    for w in &plan.sampled {
        assert!(std::ptr::eq(w.days.as_ptr(), first.days.as_ptr()), "a copy of the list each");
        let same_class = plan.sampled.iter().find(|x| x.fit.class == w.fit.class);
        let same_class = same_class.expect("its own class at least");
        assert!(std::ptr::eq(&*w.fit, &*same_class.fit), "a fit per piece of work");
    }
    let out = ok(&["--rules", "fixtures/rules/long-slip-list", "simulate", "--runs", "100"]);
    assert!(out.contains("100 runs"), "{out}");
}

/// A `slip` that builds a 9,999-day list item by item for every piece of work (inside the
/// documented limits, but slow): the plan's calls are stopped once they have taken two seconds
/// and a millisecond a call, located at `slip`, instead of running for many seconds.
#[test]
fn a_slow_slip_is_stopped_within_seconds() {
    let text = refused(&["--rules", "fixtures/rules/slow-slip", "simulate", "--runs", "10"]);
    assert!(text.contains("rule `slip` in fixtures/rules/slow-slip/simulate.rhai"), "{text}");
    assert!(text.contains("fixtures/rules/slow-slip/simulate.rhai:34:1"), "{text}");
    // Stopped by the calls' shared budget, or (on a machine loaded enough that one call takes a
    // second) by the limit on one call: either way within seconds, located at `slip`.
    assert!(
        text.contains("took") && text.contains("more than the")
            || text.contains("stopped after running for 1 second"),
        "{text}"
    );
}

// ---- what `routemap test` reads --------------------------------------------------------------

/// A test file whose extension is in capitals (`CASES.YAML`) is read like any other: both
/// files' cases run.
#[test]
fn a_test_file_named_in_capitals_is_read() {
    let out = ok(&["test", "--rules", "fixtures/rules/upper-case-tests"]);
    assert!(out.contains("tests/CASES.YAML: a month of slack is on track ... ok"), "{out}");
    assert_eq!(out.lines().last(), Some("2 passed, 0 failed"), "{out}");
}

/// A `model_file` that cannot be read is placed at its value in the test file.
#[test]
fn an_unreadable_model_file_is_placed_in_the_test_file() {
    let text = refused(&["test", "--rules", "fixtures/rules/missing-model-file"]);
    assert!(text.contains("fixtures/rules/missing-model-file/tests/cases.yaml:4:17"), "{text}");
    insta::assert_snapshot!("missing_model_file_stderr", text);
}

/// A rules directory whose tests/ holds one good test file and, named `*.yaml`, something that
/// is not a readable file.
fn tests_beside(name: &str) -> TempDir {
    let dir = TempDir::new(name);
    std::fs::create_dir(dir.path("tests")).expect("a tests directory");
    std::fs::copy("fixtures/rules/upper-case-tests/tests/lower.yaml", dir.path("tests/good.yaml"))
        .expect("copy a test file");
    dir
}

/// A link to nothing, a directory or a named pipe named `*.yaml` among the tests is refused
/// with its name (a pipe at once, never waited on), not skipped with "1 passed".
#[cfg(unix)]
#[test]
fn what_is_not_a_test_file_among_the_tests_is_refused() {
    let dir = tests_beside("rule-tests-links");
    std::os::unix::fs::symlink("nowhere.yaml", dir.path("tests/gone.yaml")).expect("a link");
    let stderr = bad(&["test", "--rules", &dir.path("")]);
    assert!(stderr.contains("tests/gone.yaml: it is a symbolic link to nothing"), "{stderr}");

    let dir = tests_beside("rule-tests-dir");
    std::fs::create_dir(dir.path("tests/more.yaml")).expect("a directory");
    let stderr = bad(&["test", "--rules", &dir.path("")]);
    assert!(stderr.contains("tests/more.yaml: it is a directory"), "{stderr}");

    let dir = tests_beside("rule-tests-pipe");
    let made = std::process::Command::new("mkfifo").arg(dir.path("tests/pipe.yaml")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo made no pipe");
    let stderr = bad(&["test", "--rules", &dir.path("")]);
    assert!(stderr.contains("tests/pipe.yaml: it is not a regular file"), "{stderr}");
}

// ---- text with control characters in what a hook returns ----------------------------------

/// A reason carrying a terminal escape sequence is refused at the hook, naming the key; the
/// escape never reaches the terminal.
#[test]
fn a_reason_with_an_escape_sequence_is_refused() {
    let text = refused(&["--rules", "fixtures/rules/control-chars", "forecast"]);
    assert!(
        // R3 is the first outcome classified: R1 and R2 do not apply to a district council.
        text.contains("returned a `reason` holding the control character U+001B (ESC) for R3"),
        "{text}"
    );
    assert!(text.contains("fixtures/rules/control-chars/classify.rhai:3:1"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
    insta::assert_snapshot!("control_chars_stderr", text);
}

/// Every hook that returns text refuses control characters (other than tab and line feed) and
/// the non-characters U+FFFE and U+FFFF, wherever the text is in its answer; a rule's error
/// message and constants are held to the same; tab and line feed are allowed.
#[test]
fn no_hook_returns_control_characters() {
    let dir = TempDir::new("rules-controls");
    let cases = [
        (
            "classify",
            "fn classify(o) { #{ status: \"on_track\", reason: \"a\\rb\" } }",
            "a `reason` holding the control character U+000D",
        ),
        (
            "classify",
            "fn classify(o) { #{ status: \"on_\\x1btrack\", reason: \"\" } }",
            "a `status` holding the control character U+001B",
        ),
        (
            "forecast",
            "fn own_finish(w) { #{ date: w.as_of, assumption: \"\\x00\" } }",
            "an `assumption` holding",
        ),
        (
            "forecast",
            "fn own_finish(w) { #{ unknown: true, reason: \"\\x9b2J\" } }",
            "U+009B (CSI)",
        ),
        (
            "forecast",
            "fn follow_on(w, d, e) { #{ days: 0, assumption: \"\\x7f\" } }\nfn own_finish(w) { #{ date: w.as_of } }",
            "U+007F (DEL)",
        ),
        (
            "funding",
            "fn stream_at_risk(s) { #{ at_risk: true, reason: \"\\uFFFF\" } }\nfn weight(o) { 1 }\nfn share(c, s) { 0 }",
            "the non-character U+FFFF",
        ),
        (
            "classify",
            "fn classify(o) { #{ status: \"on_track\", reason: \"x\", \"\\x1b\": 1 } }",
            "unknown key `\\u{1b}`",
        ),
        (
            "classify",
            "fn classify(o) { throw \"\\x1b]52;c;eA==\\x07\" }",
            "failed: \\u{1b}]52;c;eA==\\u{7}",
        ),
        (
            "classify",
            "const WORD = \"\\x1b\";\nfn classify(o) { #{ status: \"on_track\", reason: WORD } }",
            "sets its constant `WORD` to text holding the control character U+001B",
        ),
    ];
    for (file, script, expected) in cases {
        for f in ["classify", "forecast", "funding"] {
            let _ = std::fs::remove_file(dir.path(&format!("{f}.rhai")));
        }
        std::fs::write(dir.path(&format!("{file}.rhai")), format!("{script}\n")).expect("write");
        let stderr = bad(&["--rules", &dir.path(""), "forecast"]);
        assert!(stderr.contains(expected), "{script}: {stderr}");
        assert!(stderr.contains(&format!("{file}.rhai:")), "{script}: not located: {stderr}");
        assert!(!stderr.chars().any(|c| c.is_control() && c != '\n'), "{script}: {stderr:?}");
    }
    for f in ["classify", "forecast", "funding"] {
        let _ = std::fs::remove_file(dir.path(&format!("{f}.rhai")));
    }
    // Text hooks beyond the forecast: the IEG position, a risk's reasons, a BVPI group's reason.
    let cases = [
        (
            "ieg",
            "fn position(o, s) { \"Achieved\\x1b[2J\" }",
            "ieg-return",
            "returned text holding the control character U+001B (ESC) for R1",
        ),
        (
            "risk",
            "fn assess(r, e) { #{ assessed: false, reason: \"\\x1b\" } }",
            "risk-report",
            "a `reason` holding the control character U+001B (ESC) for risk",
        ),
    ];
    for (file, script, command, expected) in cases {
        for f in ["ieg", "risk"] {
            let _ = std::fs::remove_file(dir.path(&format!("{f}.rhai")));
        }
        std::fs::write(dir.path(&format!("{file}.rhai")), format!("{script}\n")).expect("write");
        let stderr = bad(&["--rules", &dir.path(""), command]);
        assert!(stderr.contains(expected), "{script}: {stderr}");
        assert!(stderr.contains(&format!("{file}.rhai:1:")), "{script}: not located: {stderr}");
    }
    // Tabs and line breaks are text, not control: they pass.
    for f in ["ieg", "risk"] {
        let _ = std::fs::remove_file(dir.path(&format!("{f}.rhai")));
    }
    std::fs::write(
        dir.path("classify.rhai"),
        "fn classify(o) { #{ status: \"on_track\", reason: \"one\\ttwo\\nthree\" } }\n",
    )
    .expect("write");
    ok(&["--rules", &dir.path(""), "forecast", "--format", "json"]);
}

/// `routemap test` shows a hook's answer: one with a control character is refused there too.
#[test]
fn a_hook_case_answer_with_a_control_character_is_refused() {
    let dir = TempDir::new("rules-controls-test");
    std::fs::create_dir(dir.path("tests")).expect("a tests directory");
    std::fs::write(dir.path("ieg.rhai"), "fn position(o, s) { \"\\x1b[2J\" }\n").expect("write");
    std::fs::write(
        dir.path("tests/ieg.yaml"),
        "cases:\n  - name: position\n    hook: position\n    with: { outcome: { code: R8 }, status: on_track }\n    expect:\n      returns: Achieved\n",
    )
    .expect("write");
    let stderr = bad(&["test", "--rules", &dir.path("")]);
    assert!(stderr.contains("in case `position`"), "{stderr}");
    assert!(stderr.contains("returned text holding the control character U+001B"), "{stderr}");
}
