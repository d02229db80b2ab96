//! Every error a user can make in a model, as the user sees it: each file in `fixtures/invalid/`
//! holds one kind of mistake, and its snapshot is `routemap check`'s exit code and standard error,
//! caret lines included.

mod common;

use common::routemap;

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
}

#[test]
fn every_fixture_has_a_test() {
    let (untested, missing) = common::untested_fixtures("fixtures/invalid", FIXTURES);
    assert!(untested.is_empty(), "fixtures with no test in tests/errors.rs: {untested:?}");
    assert!(missing.is_empty(), "tests whose fixture is not in fixtures/invalid/: {missing:?}");
}
