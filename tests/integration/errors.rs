//! Every error a user can make in a model, as the user sees it: each file in `fixtures/invalid/`
//! holds one kind of mistake, and its snapshot is `routemap check`'s exit code and standard error,
//! caret lines included.

use crate::common::{config, routemap, routemap_env};
use crate::test::TempDir;
use proptest::prelude::*;
use routemap::model::Source;

/// Run `routemap check --model fixtures/invalid/<name>.yaml`, snapshot the exit code and standard
/// error, and check that it failed as bad input should: exit code 2 and nothing on standard output.
fn check_invalid(name: &str) {
    let path = format!("fixtures/invalid/{name}.yaml");
    let run = routemap(&["check", "--model", &path]);
    let text = format!("exit code: {}\n\n{}", run.code, run.stderr);
    insta::assert_snapshot!(name, text);
    assert_eq!(run.code, 2, "{path}: exit code");
    assert_eq!(run.stdout, "", "{path}: nothing is printed on standard output");
}

/// One test per fixture, named after it, and the list of fixtures they cover: a fixture added
/// without a test fails `every_fixture_has_a_test`.
macro_rules! invalid_fixtures {
    ($($test:ident: $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_invalid($name);
            }
        )*

        const FIXTURES: &[&str] = &[$($name),*];
    };
}

invalid_fixtures! {
    yaml_syntax: "yaml-syntax",
    unknown_field: "unknown-field",
    wrong_type: "wrong-type",
    duplicate_id: "duplicate-id",
    duplicate_action_ref: "duplicate-action-ref",
    unknown_outcome_code: "unknown-outcome-code",
    dangling_waits_on: "dangling-waits-on",
    cycle: "cycle",
    unparseable_target: "unparseable-target",
    impossible_date: "impossible-date",
    unknown_status: "unknown-status",
    missing_catalogue: "missing-catalogue",
    implied_without_source: "implied-without-source",
    several_errors: "several-errors",
    catalogue_errors: "catalogue-errors",
    start_after_finish: "start-after-finish",
    missing_fields: "missing-fields",
    bvpi_unknown_link: "bvpi-unknown-link",
    bvpi_falling_percent: "bvpi-falling-percent",
    not_utf8: "not-utf8",
    yaml_null_and_tags: "yaml-null-and-tags",
    lenient_phrases: "lenient-phrases",
    long_values: "long-values",
    deep_nesting: "deep-nesting",
    carriage_return: "carriage-return",
    json_surrogates: "json-surrogates",
    under_indented: "under-indented",
    unparseable_lag: "unparseable-lag",
}

#[test]
fn every_fixture_has_a_test() {
    let (untested, missing) = crate::common::untested_fixtures("fixtures/invalid", FIXTURES);
    assert!(
        untested.is_empty(),
        "fixtures with no test in tests/integration/errors.rs: {untested:?}"
    );
    assert!(missing.is_empty(), "tests whose fixture is not in fixtures/invalid/: {missing:?}");
}

// ---- input files: only regular files, never more than the size limit ---------------------------

/// The exit code and standard error of a run that must fail as bad input does.
fn refused(args: &[&str], env: &[(&str, &str)]) -> String {
    let run = routemap_env(args, env);
    assert_eq!(run.code, 2, "routemap {args:?} exited {}:\n{}", run.code, run.stderr);
    assert_eq!(run.stdout, "", "routemap {args:?}: nothing on standard output");
    format!("exit code: {}\n\n{}", run.code, run.stderr)
}

/// A file over the size limit is refused with the limit and how to raise it; the limit is
/// ROUTEMAP_MAX_INPUT_BYTES, for models, catalogues, scenario files and rule files alike.
#[test]
fn an_input_over_the_size_limit_is_refused() {
    let env = [("ROUTEMAP_MAX_INPUT_BYTES", "1000")];
    let text = refused(&["check", "--model", "fixtures/charnwood/routemap.yaml"], &env);
    assert!(text.contains("over the limit of 1000 bytes"), "{text}");
    insta::assert_snapshot!("too_large", text);
    let text = refused(
        &["what-if", "--scenario", "fixtures/scenarios/programme-board.yaml"],
        &[("ROUTEMAP_MAX_INPUT_BYTES", "100")],
    );
    assert!(text.contains("cannot read the scenario file fixtures/scenarios/programme-board.yaml"));
    assert!(text.contains("ROUTEMAP_MAX_INPUT_BYTES"), "{text}");
    let text = refused(
        &["--rules", "fixtures/rules/not-started-off-track", "check"],
        &[("ROUTEMAP_MAX_INPUT_BYTES", "100")],
    );
    assert!(text.contains("classify.rhai: it is"), "{text}");
    // A small model passes under a limit it fits.
    let run = routemap_env(
        &["check", "--model", "fixtures/charnwood/routemap.yaml"],
        &[("ROUTEMAP_MAX_INPUT_BYTES", "100000000")],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = refused(&["check"], &[("ROUTEMAP_MAX_INPUT_BYTES", "lots")]);
    insta::assert_snapshot!("bad_size_limit", text);
}

/// Something that is not a regular file is refused before it is opened: a device is never read
/// without end, and a named pipe with no writer is never waited on.
#[cfg(unix)]
#[test]
fn an_input_that_is_not_a_regular_file_is_refused() {
    let text = refused(&["check", "--model", "/dev/zero"], &[]);
    insta::assert_snapshot!("device", text);
    let dir = TempDir::new("errors-fifo");
    let fifo = dir.path("model.yaml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {fifo}");
    let text = refused(&["check", "--model", &fifo], &[]);
    assert!(text.contains("it is not a regular file"), "{text}");
    let text = refused(&["what-if", "--scenario", &fifo], &[]);
    assert!(text.contains("cannot read the scenario file"), "{text}");
    assert!(text.contains("it is not a regular file"), "{text}");
    let text = refused(&["check", "--model", "fixtures"], &[]);
    assert!(text.contains("it is a directory"), "{text}");
}

// ---- mutated models: the loader never panics and every error is located ------------------------

/// Characters that mean something to YAML, and a few that do not.
const MUTATIONS: &[&str] = &[
    "\n",
    ":",
    ": ",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    " ",
    "  ",
    "#",
    "!",
    "&a",
    "*a",
    "~",
    "|",
    ">",
    "\t",
    "\r",
    "\\",
    ",",
    "?",
    "%",
    "@",
    "`",
    "null",
    "1",
    "x",
    "\u{e9}",
    "\u{1f600}",
];

/// The small model of `fixtures/invalid/unknown-status.yaml`, made valid.
fn small_model() -> String {
    std::fs::read_to_string("fixtures/invalid/unknown-status.yaml")
        .expect("the fixture")
        .replace("status: On hold", "status: Not started")
}

proptest! {
    #![proptest_config(config())]

    /// A model with a few characters replaced, inserted or removed loads, or fails with every
    /// error located; the loader never panics. (A fuzz target, fuzz/fuzz_targets/model.rs, searches
    /// far harder; this keeps the property in every `cargo test`.)
    #[test]
    fn mutated_models_load_or_fail_located(
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..MUTATIONS.len(), 0usize..4), 1..6)
    ) {
        let mut text = small_model();
        for (at, what, how) in edits {
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            let end = text[i..].chars().next().map_or(i, |c| i + c.len_utf8());
            match how {
                0 => text.insert_str(i, MUTATIONS[what]),
                1 => text.replace_range(i..end, MUTATIONS[what]),
                2 => text.replace_range(i..end, ""),
                _ => {
                    // Repeat the line.
                    let start = text[..i].rfind('\n').map_or(0, |n| n + 1);
                    let stop = text[i..].find('\n').map_or(text.len(), |n| i + n + 1);
                    let line = text[start..stop].to_string();
                    text.insert_str(start, &line);
                }
            }
        }
        let dir = TempDir::new("errors-mutated");
        std::fs::create_dir(dir.path("invalid")).expect("a directory");
        std::fs::copy("fixtures/odpm-outcomes.yaml", dir.path("odpm-outcomes.yaml")).expect("copy");
        let path = dir.path("invalid/model.yaml");
        std::fs::write(&path, &text).expect("write the model");
        if let Err(e) = routemap::session::load(&Source::Path(path.into())) {
            for d in &e.diagnostics {
                prop_assert!(d.location.is_some(), "unlocated: {d}\nin:\n{text}");
            }
        }
    }
}

/// An id defined three times is refused at its second and third definitions, each naming the
/// line of the first; a task's id may not repeat a project's or an action's (one namespace).
#[test]
fn an_id_defined_three_times_names_its_first_definition_each_time() {
    let dir = TempDir::new("errors-three-ids");
    let model = "document:\n  council: C\n  title: T\n  version: V\n  issue_date: 2005-04-13\n\
                 projects:\n  - id: p\n    title: One\n  - id: p\n    title: Two\n\
                 actions:\n  - ref: \"1\"\n    section: S\n    tasks:\n      - id: p\n        \
                 text: Three\n      - id: \"1\"\n        text: Four\n";
    let path = dir.path("model.yaml");
    std::fs::write(&path, model).expect("write the model");
    let run = routemap(&["check", "--model", &path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.matches("duplicate id `p`").count(), 2, "{}", run.stderr);
    assert_eq!(run.stderr.matches("`p` is first defined on line 7").count(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("duplicate id `1`"), "{}", run.stderr);
    assert!(run.stderr.contains("`1` is first defined on line 12"), "{}", run.stderr);
}

/// A target phrase or status that does not read is refused wherever it is written, however
/// often it repeats (each phrase is read once and its reading remembered), and a phrase that
/// reads still reads the same beside it.
#[test]
fn a_repeated_phrase_that_does_not_read_is_refused_at_each_place() {
    let dir = TempDir::new("errors-repeated-phrase");
    let model = "document:\n  council: C\n  title: T\n  version: V\n  issue_date: 2005-04-13\n\
                 actions:\n  - ref: \"1\"\n    section: S\n    tasks:\n      \
                 - text: One\n        original: Marhc 2005\n        status: Finishd\n      \
                 - text: Two\n        original: Marhc 2005\n        status: Finishd\n      \
                 - text: Three\n        original: March 2005\n        status: Complete\n      \
                 - text: Four\n        original: Marhc 2005\n        status: Complete\n";
    let path = dir.path("model.yaml");
    std::fs::write(&path, model).expect("write the model");
    let run = routemap(&["check", "--model", &path]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("unrecognised target phrase `Marhc 2005`").count(),
        3,
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches("unrecognised status `Finishd`").count(), 2, "{}", run.stderr);
    for line in [11, 14, 20] {
        assert!(
            run.stderr.contains(&format!("model.yaml:{line}:")),
            "line {line}:\n{}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("`March 2005`"), "{}", run.stderr);
}
