//! Hostile input, as the loader meets it: ids that look like other ids, control characters in
//! text, a raw control character, keys given twice, years that are no years, a comment longer
//! than the rules can hold, and aliases that make a small file huge. Each file in
//! `fixtures/invalid/hostile/` holds one kind, and its snapshot is what `routemap check` (or
//! `what-if --scenario`) says of it; every refusal is located, exit code 2, and never a panic, a
//! hang or a silent default.

use crate::common::{config, routemap};
use crate::test::{TempDir, Test};
use proptest::prelude::*;
use routemap::model::{self, Source};

/// Run `routemap ARGS`, insist that it failed as bad input does (exit 2, nothing on standard
/// output) and return the exit code and standard error for a snapshot.
fn refused(args: &[&str]) -> String {
    let run = routemap(args);
    assert_eq!(run.code, 2, "routemap {args:?} exited {}:\n{}", run.code, run.stderr);
    assert_eq!(run.stdout, "", "routemap {args:?}: nothing on standard output");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    format!("exit code: {}\n\n{}", run.code, run.stderr)
}

/// `routemap check` of `fixtures/invalid/hostile/<name>.yaml`, snapshot under the fixture's name.
fn check_hostile(name: &str) -> String {
    let path = format!("fixtures/invalid/hostile/{name}.yaml");
    let text = refused(&["check", "--model", &path]);
    insta::assert_snapshot!(name, text);
    text
}

const FIXTURES: &[&str] = &[
    "id-alphabet",
    "control-text",
    "raw-control",
    "duplicate-keys",
    "far-years",
    "alias-bomb",
    "scenario-text-and-dates",
];

#[test]
fn every_hostile_fixture_has_a_test() {
    let (untested, missing) =
        crate::common::untested_fixtures("fixtures/invalid/hostile", FIXTURES);
    assert!(
        untested.is_empty(),
        "fixtures with no test in tests/integration/hostile_load.rs: {untested:?}"
    );
    assert!(missing.is_empty(), "tests whose fixture is not there: {missing:?}");
}

// ---- 1. ids: ASCII letters, digits, `.`, `-`, `_` ------------------------------------------------

/// Zero-width and bidirectional characters, a leading `-`, a letter outside ASCII and a no-break
/// space in ids, and a right-to-left override in an action ref: each refused at the id, naming
/// the character by its code and suggesting the id without it.
#[test]
fn ids_outside_the_alphabet_are_refused() {
    let text = check_hostile("id-alphabet");
    assert!(text.contains("id-alphabet.yaml:13:9"), "{text}");
    assert!(text.contains("U+200B (zero width space)"), "{text}");
    assert!(text.contains("U+202E (right-to-left override)"), "{text}");
    assert!(text.contains("write `documentmanagement`"), "{text}");
}

/// Every id of the example models and fixtures is in the alphabet: they all still load.
#[test]
fn every_valid_model_still_loads() {
    for path in [
        "fixtures/charnwood/routemap.yaml",
        "fixtures/loxley/routemap.yaml",
        "fixtures/bvpi/small.yaml",
        "fixtures/bvpi/no-table.yaml",
        "fixtures/simulate/small.yaml",
    ] {
        let run = routemap(&["check", "--model", path]);
        assert_eq!(run.code, 0, "{path}:\n{}", run.stderr);
    }
}

/// A small valid model with `ID` as a project's id and `TEXT` as its title, each written as a
/// double-quoted YAML string (so that any character can be escaped into it).
fn model_with(id: &str, title: &str) -> String {
    format!(
        "document:\n  council: Example District Council\n  title: E-Government Strategy\n  \
         version: Version 1\n  issue_date: 2005-04-13\n\nprojects:\n  - id: \"{id}\"\n    \
         title: \"{title}\"\n    finish: Dec 2005\n"
    )
}

/// A character as a YAML double-quoted escape.
fn escape(c: char) -> String {
    if u32::from(c) > 0xFFFF {
        format!("\\U{:08X}", u32::from(c))
    } else {
        format!("\\u{:04X}", u32::from(c))
    }
}

/// Load a model written in a fresh temporary directory.
fn load(text: &str) -> Result<routemap::model::Model, routemap::Error> {
    let dir = TempDir::new("hostile-load");
    let path = dir.path("model.yaml");
    std::fs::write(&path, text).expect("write the model");
    model::load(&Source::Path(path.into()))
}

proptest! {
    #![proptest_config(config())]

    /// Any id holding a character outside the alphabet, anywhere in it, is refused at the id's
    /// line and column, naming that character by its code; the same id without it loads.
    #[test]
    fn any_id_with_a_character_outside_the_alphabet_is_refused(
        before in "[a-z0-9][a-z0-9.-]{0,8}",
        after in "[a-z0-9.-]{0,8}",
        bad in any::<char>().prop_filter("outside the alphabet", |c| {
            !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        }),
    ) {
        let id = format!("{before}{}{after}", escape(bad));
        let e = load(&model_with(&id, "Title")).expect_err("refused");
        let d = &e.diagnostics[0];
        prop_assert_eq!(e.diagnostics.len(), 1, "{}", e);
        prop_assert!(d.message.contains(&format!("U+{:04X}", u32::from(bad))), "{}", d);
        let at = d.location.as_deref().expect("located");
        prop_assert_eq!((at.line, at.column), (8, 9));
        let fine = load(&model_with(&format!("{before}{after}"), "Title"));
        prop_assert!(fine.is_ok(), "{:?}", fine.err());
    }

    /// Any text holding a control character (but tab and line breaks) or a non-character is
    /// refused at its field, naming the character by its code.
    #[test]
    fn any_text_with_a_control_character_or_non_character_is_refused(
        before in "[A-Za-z ]{0,20}",
        bad in prop_oneof![
            (0u32..0x20).prop_filter("tab and line breaks are text", |n| !matches!(n, 9 | 10 | 13)),
            Just(0x7Fu32),
            0x80u32..0xA0,
            0xFDD0u32..=0xFDEF,
            (0u32..=0x10).prop_map(|plane| plane * 0x10000 + 0xFFFE),
            (0u32..=0x10).prop_map(|plane| plane * 0x10000 + 0xFFFF),
        ],
    ) {
        let c = char::from_u32(bad).expect("a character");
        let e = load(&model_with("p1", &format!("{before}{}", escape(c)))).expect_err("refused");
        prop_assert_eq!(e.diagnostics.len(), 1, "{}", e);
        let d = &e.diagnostics[0];
        prop_assert!(d.message.contains(&format!("U+{bad:04X}")), "{}", d);
        let at = d.location.as_deref().expect("located");
        prop_assert_eq!((at.line, at.column), (9, 12));
    }
}

// ---- 2. control characters and non-characters in text ------------------------------------------

/// Escapes that make control characters and non-characters, in the document, a status word, an
/// owner, a comment and a dependency's source: each refused at its field. A tab and a line break
/// are text.
#[test]
fn control_characters_in_text_are_refused() {
    let text = check_hostile("control-text");
    assert!(text.contains("control-text.yaml:6:12"), "{text}");
    assert!(text.contains("U+001B (escape), a control character"), "{text}");
    assert!(!text.contains("\u{1b}"), "nothing reaches the terminal raw:\n{text}");
    assert!(!text.contains("control-text.yaml:25"), "a tab is text:\n{text}");
}

/// A scenario file's name, as_of and slips pass the same checks as a model's text and dates.
#[test]
fn scenario_names_and_dates_are_checked_as_a_model_is() {
    let path = "fixtures/invalid/hostile/scenario-text-and-dates.yaml";
    let text = refused(&["what-if", "--scenario", path]);
    insta::assert_snapshot!("scenario-text-and-dates", text);
    assert!(text.contains("scenario-text-and-dates.yaml:5:11"), "{text}");
    assert!(text.contains("write the year in full: 2005-09-30"), "{text}");
}

// ---- 3. a raw control character ---------------------------------------------------------------

/// A raw escape byte in the file is named at its own line and column, and shown inert.
#[test]
fn a_raw_control_character_is_located() {
    let text = check_hostile("raw-control");
    assert!(text.contains("raw-control.yaml:14:35"), "{text}");
    assert!(!text.contains("at position"), "{text}");
    assert!(!text.contains("\u{1b}"), "{text}");
}

// ---- 4. keys given twice -------------------------------------------------------------------------

/// Every key given twice is reported in one run, each at the duplicate key itself (a status word
/// too, which serde kept the last of).
#[test]
fn every_duplicate_key_is_reported_at_itself() {
    let text = check_hostile("duplicate-keys");
    for at in ["duplicate-keys.yaml:7:3", "duplicate-keys.yaml:13:3", "duplicate-keys.yaml:23:9"] {
        assert!(text.contains(at), "{at}:\n{text}");
    }
    assert!(text.contains("3 errors"), "{text}");
}

/// A JSON model's keys given twice are found the same way.
#[test]
fn duplicate_keys_in_json_are_reported_at_themselves() {
    let json = "{\"document\": {\"council\": \"C\", \"title\": \"T\", \"title\": \"U\",\n \
                \"version\": \"V\", \"issue_date\": \"2005-04-13\"},\n \"status_words\": \
                {\"Slipped\": \"in_progress\",\n  \"Slipped\": \"complete\"}}\n";
    let test = Test::new().write("model.json", json);
    let path = test.path("model.json");
    let text = refused(&["check", "--model", &path]);
    assert!(text.contains("document: duplicate key `title`"), "{text}");
    assert!(text.contains("model.json:1:45"), "{text}");
    assert!(text.contains("status_words: duplicate key `Slipped`"), "{text}");
    assert!(text.contains("model.json:4:3"), "{text}");
}

/// JSON that reads is read without the YAML nesting scan (its parser reads no deeper than the
/// model's types); JSON that does not read, and a file that starts as JSON but is YAML's flow
/// style, are scanned before anything reads them as YAML: nested a thousand deep, each is
/// refused at the bracket past the limit, at once, however its problem is then located (an
/// unknown field is found by reading the file as YAML).
#[test]
fn deeply_nested_json_is_refused_at_its_place() {
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(1000), close.repeat(1000));
    let json = format!(
        "{{\"document\": {{\"council\": \"C\", \"title\": \"T\", \"version\": \"V\", \
         \"issue_date\": \"2005-04-13\"}},\n \"funding\": {}}}\n",
        deep("[", "]")
    );
    let flow = format!("{{document: {}}}\n", deep("[", "]"));
    let unknown = json.replace("\"funding\"", "\"bogus\"");
    let test = Test::new()
        .write("deep.json", &json)
        .write("flow.yaml", &flow)
        .write("unknown.json", &unknown);
    for name in ["deep.json", "unknown.json"] {
        let text = refused(&["check", "--model", &test.path(name)]);
        assert!(text.contains("lists and maps nested more than 64 deep"), "{text}");
        assert!(text.contains(&format!("{name}:2:")), "{text}");
    }
    let text = refused(&["check", "--model", &test.path("flow.yaml")]);
    assert!(text.contains("lists and maps nested more than 64 deep"), "{text}");
    assert!(text.contains("flow.yaml:1:75"), "{text}");
}

// ---- 5. years -------------------------------------------------------------------------------------

/// A two-digit year, a year at the calendar's end and one before 1900 in a model's dates, and a
/// two-digit or five-digit year in a target phrase: each refused at its field with what to
/// write.
#[test]
fn years_outside_1900_to_2100_are_refused_in_a_model() {
    let text = check_hostile("far-years");
    assert!(text.contains("far-years.yaml:8:15"), "{text}");
    assert!(text.contains("write the year in full: 2005-04-13"), "{text}");
    assert!(text.contains("`+262142-12-31` is in the year 262142"), "{text}");
    assert!(text.contains("`05` is a two-digit year"), "{text}");
}

/// `--as-of` reads the same years.
#[test]
fn years_outside_1900_to_2100_are_refused_in_as_of() {
    let text = refused(&["forecast", "--as-of", "05-04-13"]);
    insta::assert_snapshot!("as_of_two_digit_year", text);
    let text = refused(&["forecast", "--as-of", "+262142-12-31"]);
    assert!(text.contains("outside the years routemap reads (1900 to 2100)"), "{text}");
    // The edges of the range are dates.
    for edge in ["1900-01-01", "2100-12-31"] {
        let run = routemap(&["forecast", "--as-of", edge, "--format", "json"]);
        assert_eq!(run.code, 0, "{edge}: {}", run.stderr);
    }
}

// ---- 6. a comment longer than the rules hold ------------------------------------------------------

/// A model whose task waits on a project and carries `comments`, so that `forecast.rhai` reads
/// (and lower-cases) the comment in `follow_on`.
fn commented(comment: &str) -> String {
    format!(
        "document:\n  council: Example District Council\n  title: E-Government Strategy\n  \
         version: Version 1\n  issue_date: 2005-04-13\n\nprojects:\n  - id: dms\n    title: \
         Document management\n    finish: Dec 2004\n\nactions:\n  - ref: \"24\"\n    section: \
         Environmental Health\n    outcomes: [R8]\n    tasks:\n      - text: Review links\n        \
         proposed: Dec 2005\n        status: Not started\n        comments: \"{comment}\"\n        \
         waits_on:\n          - id: dms\n"
    )
}

/// A 12,000-character comment, or 3,000 four-byte characters (12,000 bytes, over the rules'
/// 10,000-byte string limit), is refused at the model's field, never a failure inside
/// `forecast.rhai`; the longest comment allowed forecasts.
#[test]
fn a_long_comment_is_refused_at_the_model() {
    let dir = TempDir::new("hostile-comment");
    for (name, comment, why) in [
        ("long.yaml", "c".repeat(12_000), "is 12000 characters long"),
        ("wide.yaml", "\u{1f600}".repeat(3_000), "is 12000 bytes long in UTF-8"),
    ] {
        let path = dir.path(name);
        std::fs::write(&path, commented(&comment)).expect("write");
        let text = refused(&["forecast", "--model", &path]);
        assert!(text.contains(why), "{text}");
        assert!(text.contains(&format!("{name}:20:19")), "{text}");
        assert!(!text.contains("rhai"), "{text}");
    }
    // At the limits, lower-cased by the rule, it stays under the rules' string limit:
    // 4,000 characters, and 3,000 two-byte characters that lower-case to three bytes each.
    for (name, comment) in
        [("longest.yaml", "c".repeat(4_000)), ("widest.yaml", "\u{23a}".repeat(3_000))]
    {
        let path = dir.path(name);
        std::fs::write(&path, commented(&comment)).expect("write");
        let run = routemap(&["forecast", "--model", &path, "--format", "json"]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    }
}

// ---- 7. aliases -----------------------------------------------------------------------------------

/// A few kilobytes whose aliases would make 180,000 tasks: refused at the alias that crosses the
/// limit, before anything is expanded.
#[test]
fn an_alias_bomb_is_refused_before_it_is_expanded() {
    let text = check_hostile("alias-bomb");
    assert!(text.contains("YAML aliases expand this file"), "{text}");
}

/// The brief's file: 200 KB whose aliases expand to millions of tasks (27,000 actions of 1,000
/// tasks), and a nested "billion laughs", each refused at an alias. (Only the count is checked:
/// no test here times anything.)
#[test]
fn large_alias_bombs_are_refused_at_an_alias() {
    let dir = TempDir::new("hostile-aliases");
    let head = "document:\n  council: C\n  title: T\n  version: V\n  issue_date: 2005-04-13\n\
                actions:\n  - &a\n    ref: \"1\"\n    section: S\n    tasks:\n";
    let mut text = format!("{head}      - &t {{text: {}}}\n", "x".repeat(50));
    text.push_str(&"      - *t\n".repeat(999));
    while text.len() < 200_000 - 7 {
        text.push_str("  - *a\n");
    }
    let path = dir.path("wide.yaml");
    std::fs::write(&path, &text).expect("write");
    let out = refused(&["check", "--model", &path]);
    assert!(out.contains("YAML aliases expand this file to more than"), "{out}");
    assert!(out.contains("wide.yaml:1109:5"), "{out}");

    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..=9 {
        let row = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{row}]\n"));
    }
    let path = dir.path("laughs.yaml");
    std::fs::write(&path, &laughs).expect("write");
    let out = refused(&["check", "--model", &path]);
    assert!(out.contains("YAML aliases expand this file"), "{out}");
    // A few aliases, as a model might use to share a list, are read as usual.
    let shared = "document:\n  council: C\n  title: T\n  version: V\n  issue_date: 2005-04-13\n\
                  projects:\n  - id: p1\n    title: P\n    finish: Dec 2005\n    owner: &o ICT\n  \
                  - id: p2\n    title: Q\n    finish: Dec 2005\n    owner: *o\n";
    let path = dir.path("shared.yaml");
    std::fs::write(&path, shared).expect("write");
    let run = routemap(&["check", "--model", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
