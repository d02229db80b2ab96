//! Reports leave the machine: text from the input must be neutralised in every format. A hostile
//! routemap (`fixtures/hostile/routemap.yaml`: spreadsheet formulas, HTML, Markdown, DOT and
//! Mermaid payloads in every text it has) is rendered by every command in every format it
//! writes, and each output is checked for the class of harm its format allows.

use crate::common::{routemap, routemap_env};
use crate::test::{TempDir, Test};

const MODEL: &str = "fixtures/hostile/routemap.yaml";

/// Every command, with the arguments it needs on the hostile model.
const COMMANDS: &[&[&str]] = &[
    &["check"],
    &["forecast"],
    &["critical-path", "R8"],
    &["explain", "R8"],
    &["what-if", "--slip", "p-1=+3m"],
    &["sensitivity"],
    &["exposure"],
    &["risk-report"],
    &["simulate", "--runs", "200"],
    &["ieg-return"],
    &["graph"],
    &["graph", "R8"],
];

const FORMATS: &[&str] = &["table", "json", "csv", "md", "html", "svg", "dot", "mermaid", "docx"];

/// Every format each command writes, rendered on the hostile model and checked.
#[test]
fn every_format_of_every_command_neutralises_hostile_text() {
    let dir = TempDir::new("hostile");
    let mut checked = Vec::new();
    for command in COMMANDS {
        for format in FORMATS {
            let file = dir.path(&format!("out.{format}"));
            let mut args: Vec<&str> = command.to_vec();
            args.extend(["--model", MODEL, "--format", format]);
            if *format == "docx" {
                args.extend(["--output", &file]);
            }
            let run = routemap(&args);
            if run.code == 2 && run.stderr.contains("cannot write") {
                continue; // a format this command does not write
            }
            assert_eq!(run.code, 0, "routemap {args:?}:\n{}", run.stderr);
            let out = if *format == "docx" { docx_text(&file) } else { run.stdout.clone() };
            let what = format!("routemap {}", args.join(" "));
            check_output(format, &out, &what);
            checked.push(format!("{} {format}", command[0]));
        }
    }
    // The check is only as good as what it saw: every command rendered, in every text format.
    for must in [
        "forecast csv",
        "forecast md",
        "forecast html",
        "risk-report html",
        "risk-report docx",
        "graph dot",
        "graph mermaid",
        "graph svg",
        "ieg-return csv",
        "what-if csv",
        "sensitivity csv",
        "exposure csv",
        "critical-path csv",
        "simulate csv",
    ] {
        assert!(checked.iter().any(|c| c == must), "{must} was not checked: {checked:?}");
    }
}

/// No cell starts a formula (OWASP's characters), except a cell that is wholly a number; and
/// the payloads are still there, quoted, not lost.
fn check_csv(out: &str, what: &str) {
    let text = out.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    for record in reader.records() {
        let record = record.unwrap_or_else(|e| panic!("{what}: not CSV: {e}"));
        for cell in record.iter() {
            let Some(first) = cell.chars().next() else { continue };
            let number = cell.trim_start_matches(['-', '+']).parse::<f64>().is_ok()
                && !cell.contains(['e', 'E', 'i', 'I', 'n', 'N']);
            assert!(
                !['=', '+', '-', '@', '\t', '\r'].contains(&first) || number,
                "{what}: a cell a spreadsheet reads as a formula: {cell:?}"
            );
        }
    }
}

/// Every `<` is escaped, so no renderer reads HTML in it; no input text opens a heading or a
/// fenced block.
fn check_markdown(out: &str, what: &str) {
    for line in out.lines() {
        let start = line.trim_start_matches(' ');
        assert!(!start.starts_with("# Injected"), "{what}: a heading from the input: {line}");
        assert!(!start.contains("~~~"), "{what}: a fence from the input: {line}");
    }
    let chars: Vec<char> = out.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '<' {
            let backslashes = chars[..i].iter().rev().take_while(|b| **b == '\\').count();
            let at: usize = chars[..i].iter().map(|c| c.len_utf8()).sum();
            let line = out[..at].rsplit('\n').next().unwrap_or_default();
            assert!(backslashes % 2 == 1, "{what}: raw HTML in Markdown: {line}");
        }
    }
}

/// None of the payloads' tags or attributes survive as markup.
fn check_markup(out: &str, what: &str) {
    let lower = out.to_lowercase();
    for tag in ["<script", "<img", "<iframe", "<svg onload", "<b>", "href=\"javascript"] {
        assert!(!lower.contains(tag), "{what}: {tag} reached the markup");
    }
    assert!(!out.chars().any(|c| c.is_control() && !"\n\t\r".contains(c)), "{what}: control chars");
}

/// Each line is one of the statements the writer makes, with balanced, escaped strings: a label
/// cannot close its string and add attributes (`URL=...`).
fn check_dot(out: &str, what: &str) {
    for line in out.lines().skip(3) {
        if line == "}" {
            continue;
        }
        let (quotes, rest) = strings_out_of(line, what);
        let node = rest.starts_with("  n")
            && (rest.ends_with(", style=filled, fillcolor=\"\", color=\"\"];")
                || rest.ends_with("\"];"))
            && rest.contains(" [shape=")
            && (quotes == 2 || quotes == 6);
        let edge = rest.starts_with("  n") && rest.contains(" -> ") && quotes == 0;
        // A group of outcomes shown apart: one quoted label.
        let group =
            rest.starts_with("  g") && rest.ends_with(" [shape=note, label=\"\"];") && quotes == 2;
        assert!(node || edge || group, "{what}: a DOT line the writer does not make: {line}");
        assert!(!rest.contains("URL") && !rest.contains("href"), "{what}: {line}");
    }
}

/// A line with the contents of its double-quoted strings taken out, and the number of quotes.
fn strings_out_of(line: &str, what: &str) -> (usize, String) {
    let mut rest = String::new();
    let mut quotes = 0;
    let mut inside = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (inside, c) {
            (true, '\\') => {
                chars.next();
            }
            (_, '"') => {
                inside = !inside;
                quotes += 1;
                rest.push('"');
            }
            (true, _) => {}
            (false, c) => rest.push(c),
        }
    }
    assert!(!inside, "{what}: an unclosed string: {line}");
    (quotes, rest)
}

/// Node statements have one quoted label with no markup in it; ids that differ only in
/// punctuation stay apart.
fn check_mermaid(out: &str, what: &str) {
    let mut names = std::collections::BTreeSet::new();
    for line in out.lines().skip(1) {
        if line.starts_with("  g") {
            // A group of outcomes shown apart: one label, no markup.
            assert_eq!(line.matches('"').count(), 2, "{what}: {line}");
            let label = line.split('"').nth(1).unwrap_or_default().replace("<br/>", "");
            assert!(!label.contains(['<', '>', '`']), "{what}: markup in a Mermaid label: {line}");
            continue;
        }
        let Some(name) = line.strip_prefix("  n") else { continue };
        let name: String = name.chars().take_while(char::is_ascii_digit).collect();
        if line.contains(" --> ") {
            continue;
        }
        assert_eq!(line.matches('"').count(), 2, "{what}: {line}");
        let label = line.split('"').nth(1).unwrap_or_default();
        let label = label.replace("<br/>", "");
        assert!(!label.contains(['<', '>', '`']), "{what}: markup in a Mermaid label: {line}");
        assert!(names.insert(name), "{what}: a node named twice: {line}");
    }
    if what.contains("graph --model") || what.contains("graph R8") {
        for id in ["p-1:", "p_1:", "p.1:"] {
            assert!(out.contains(id), "{what}: {id} is missing");
        }
    }
}

/// The text of a Word document's body.
fn docx_text(path: &str) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut zip = zip::ZipArchive::new(file).expect("a docx is a zip file");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("word/document.xml").expect("word/document.xml"),
        &mut xml,
    )
    .expect("UTF-8");
    xml
}

/// Check one output for the harm its format allows.
fn check_output(format: &str, out: &str, what: &str) {
    match format {
        "csv" => check_csv(out, what),
        "md" => check_markdown(out, what),
        "html" => check_markup(out, what),
        "svg" | "docx" => {
            check_markup(out, what);
            roxmltree::Document::parse(out)
                .unwrap_or_else(|e| panic!("{what}: not well-formed XML: {e}"));
        }
        "dot" => check_dot(out, what),
        "mermaid" => check_mermaid(out, what),
        "json" => {
            serde_json::from_str::<serde_json::Value>(out)
                .unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
        }
        _ => assert!(!out.contains('\u{1b}'), "{what}: escape characters\n{out}"),
    }
}

/// `diff` of two versions of the hostile routemap (the later issued later, with a target moved,
/// so that hostile task and outcome texts reach the changes and the outcomes that moved), in
/// every format it writes.
#[test]
fn diff_neutralises_hostile_text_in_every_format() {
    let dir = TempDir::new("hostile-diff");
    let later = std::fs::read_to_string(MODEL)
        .expect("the hostile model")
        .replace("issue_date: 2005-04-13", "issue_date: 2005-07-01")
        .replace("proposed: Dec 2005", "proposed: Jan 2006");
    let later_path = dir.path("later.yaml");
    std::fs::write(&later_path, later).expect("write the later version");
    for format in ["table", "json", "csv", "md", "html", "docx"] {
        let file = dir.path(&format!("diff.{format}"));
        let mut args = vec!["diff", MODEL, &later_path, "--format", format];
        if format == "docx" {
            args.extend(["--output", &file]);
        }
        let run = routemap(&args);
        assert_eq!(run.code, 0, "routemap {args:?}:\n{}", run.stderr);
        let out = if format == "docx" { docx_text(&file) } else { run.stdout.clone() };
        assert!(out.contains("Jan 2006") || format == "docx", "{format}: the move is shown\n{out}");
        check_output(format, &out, &format!("routemap {}", args.join(" ")));
    }
}

/// A control character in the input that reaches a message (here a slip's id on the command
/// line, quoted in the error) is shown inert on standard error, never sent to the terminal.
#[test]
fn control_characters_in_messages_are_shown_escaped() {
    let osc52 = "\u{1b}]52;c;ZWNobyBwd25lZA==\u{7}";
    let run = routemap(&["what-if", "--slip", &format!("{osc52}=+3m")]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{7}'), "{}", run.stderr);
    assert!(run.stderr.contains("]52;c;ZWNobyBwd25lZA=="), "{}", run.stderr);
}

/// A rule file quoted in an error message: its control characters are shown escaped.
#[test]
fn control_characters_in_quoted_rule_lines_are_shown_escaped() {
    let test = Test::new().write("classify.rhai", "let x = \"\u{1b}]0;pwned\u{7}\" +;\n");
    let rules = test.path("");
    let run = test.args(["forecast", "--rules", &rules]).status(2).run();
    assert!(!run.stderr.contains('\u{1b}'), "{}", run.stderr);
    assert!(run.stderr.contains("]0;pwned"), "{}", run.stderr);
}

/// `--color always` paints with routemap's own colour sequences only.
#[test]
fn colour_is_routemaps_own() {
    let run = routemap_env(&["forecast", "--color", "always", "--model", MODEL], &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\u{1b}["), "coloured");
    for (i, _) in run.stdout.match_indices('\u{1b}') {
        let rest = &run.stdout[i + 1..];
        let params: String =
            rest.chars().skip(1).take_while(|c| c.is_ascii_digit() || *c == ';').collect();
        assert!(rest.starts_with('[') && rest[1 + params.len()..].starts_with('m'), "{rest:.20}");
    }
}

/// An `--output` name of another program's format is refused, naming what the command writes,
/// and nothing is written.
#[test]
fn an_extension_routemap_does_not_write_is_refused() {
    let dir = TempDir::new("foreign");
    for (command, name, says) in [
        (&["risk-report"][..], "paper.pdf", "for a PDF, write .html and print it from a browser"),
        (&["forecast"][..], "forecast.xlsx", "a spreadsheet opens the .csv"),
        (&["graph"][..], "graph.png", "graph writes .json, .dot, .mmd, .svg"),
        (&["risk-report"][..], "paper.doc", "Word opens the .docx"),
    ] {
        let file = dir.path(name);
        let mut args = command.to_vec();
        args.extend(["--output", &file]);
        let run = routemap(&args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert!(dir.entries().is_empty(), "{args:?} wrote {:?}", dir.entries());
    }
}

/// `routemap test --output` never replaces a test file it reads.
#[test]
fn test_output_never_replaces_a_test_file() {
    let case = "cases:\n  - name: the target\n    hook: target\n    with:\n      table: { enabled_percent: 69, target: \"100%\", final_percent: 100, as_of: 2005-04-13 }\n    expect:\n      contains: { percent: 100 }\n";
    let test = Test::new().write("tests/bvpi.yaml", case);
    let (rules, path) = (test.path(""), test.path("tests/bvpi.yaml"));
    let out = test
        .args(["test", "--rules", &rules, "--format", "json", "--output", &path])
        .status(2)
        .stderr_contains("which this run reads")
        .run();
    let now = std::fs::read_to_string(out.tempdir.path("tests/bvpi.yaml")).expect("read");
    assert_eq!(now, case, "the test file was replaced");
}

/// Nor a model file one of its cases names.
#[test]
fn test_output_never_replaces_a_model_a_case_reads() {
    let model = std::fs::read_to_string("fixtures/loxley/routemap.yaml").expect("the fixture");
    let case = "cases:\n  - name: loxley\n    model_file: ../loxley.yaml\n    expect:\n      outcomes:\n        R5: { status: achieved }\n";
    let test = Test::new().write("tests/loxley.yaml", case).write("loxley.yaml", &model);
    let (rules, path) = (test.path(""), test.path("loxley.yaml"));
    let out = test
        .args(["test", "--rules", &rules, "--format", "json", "--output", &path])
        .status(2)
        .stderr_contains("which this run reads")
        .run();
    let now = std::fs::read_to_string(out.tempdir.path("loxley.yaml")).expect("read");
    assert_eq!(now, model, "the case's model file was replaced");
}

/// A run stopped by SIGTERM or SIGINT while it writes `--output` leaves no temporary file
/// behind, and the file it was replacing as it was (or, when the signal came as the new file
/// was renamed into place, the new file whole).
#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_no_partial_file() {
    let dir = TempDir::new("signal");
    // A model large enough that writing its graph takes a moment to catch.
    let mut model = String::from(
        "document:\n  council: Big\n  title: T\n  version: '1'\n  issue_date: 2005-04-13\nactions:\n",
    );
    for a in 0..60 {
        model.push_str(&format!(
            "  - ref: \"{a}\"\n    section: S\n    outcomes: [R8]\n    tasks:\n"
        ));
        for _ in 0..50 {
            model.push_str("      - text: A task with a long enough title to make the graph big\n        original: Dec 2005\n        status: In progress\n");
        }
    }
    std::fs::write(dir.path("big.yaml"), model).expect("write the model");
    let out = dir.path("graph.json");
    let earlier = "the earlier graph\n";
    use nix::sys::signal::Signal;
    for signal in [Signal::SIGTERM, Signal::SIGINT] {
        let mut interrupted = false;
        for _attempt in 0..20 {
            std::fs::write(&out, earlier).expect("write");
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_routemap"))
                .args(["graph", "--all", "--model", &dir.path("big.yaml"), "--output", &out])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run routemap");
            // Wait for the temporary file to appear, then stop the run.
            let partial = || dir.entries().into_iter().any(|e| e.ends_with(".partial"));
            while child.try_wait().expect("wait").is_none() {
                if partial() {
                    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
                    let _ = nix::sys::signal::kill(pid, signal);
                    break;
                }
            }
            let done = child.wait_with_output().expect("wait");
            let (status, stderr) = (done.status, String::from_utf8_lossy(&done.stderr));
            assert_eq!(dir.entries(), ["big.yaml", "graph.json"], "{signal}: {status:?} {stderr}");
            let now = std::fs::read_to_string(&out).expect("read");
            match status.code() {
                Some(130) if now == earlier => {
                    interrupted = true;
                    break;
                }
                // Interrupted as the new file went into place: it is whole.
                Some(130 | 0) => {
                    serde_json::from_str::<serde_json::Value>(&now).expect("the new file is whole");
                }
                other => panic!("{signal}: exit {other:?}: {stderr}"),
            }
        }
        assert!(interrupted, "{signal}: no attempt was interrupted while writing");
    }
}

/// Lags of a hundred years each (the most one may be) chained until the forecast passes the
/// year 9999: refused, located at the first work beyond it, never written clamped to the
/// calendar's end or with a five-digit year.
#[test]
fn a_forecast_beyond_the_calendar_is_refused_located() {
    let dir = TempDir::new("far-forecast");
    let mut model = String::from(
        "document:\n  council: C\n  title: T\n  version: '1'\n  issue_date: 2005-04-13\nactions:\n  - ref: \"1\"\n    section: S\n    outcomes: [R8]\n    tasks:\n      - text: first\n        original: Dec 2005\n",
    );
    for i in 2..=90 {
        model.push_str(&format!(
            "      - text: next\n        original: Dec 2005\n        waits_on:\n          - id: \"1.{}\"\n            lag: 36500d\n",
            i - 1
        ));
    }
    std::fs::write(dir.path("far.yaml"), model).expect("write the model");
    let run = routemap(&["forecast", "--format", "json", "--model", &dir.path("far.yaml")]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("`1.81` is forecast to finish in the year 10000"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("far.yaml:"), "located: {}", run.stderr);
}

/// A bidirectional override is allowed in a text (it is how right-to-left text is written), and
/// JSON writes it as a `\u` escape: on standard output, where anything that would act on a
/// terminal is made inert, the JSON is still JSON and reads back to the text the model holds;
/// the forecast's JSON, written as it is serialised, is the same bytes as its `--output` file.
#[test]
fn json_on_standard_output_stays_json_with_a_bidirectional_override() {
    let dir = TempDir::new("hostile-bidi");
    let model = std::fs::read_to_string(MODEL).expect("the hostile model").replacen(
        "title: 'Docs\"",
        "title: '\u{202e}Docs\"",
        1,
    );
    let path = dir.path("bidi.yaml");
    std::fs::write(&path, model).expect("write the model");
    for command in ["graph", "critical-path", "forecast"] {
        let run = routemap(&[command, "--model", &path, "--format", "json"]);
        assert_eq!(run.code, 0, "{command}: {}", run.stderr);
        let value: serde_json::Value = serde_json::from_str(&run.stdout)
            .unwrap_or_else(|e| panic!("{command}: not JSON: {e}\n{}", run.stdout));
        assert!(!run.stdout.contains('\u{202e}'), "{command}: raw override\n{}", run.stdout);
        if command != "forecast" {
            assert!(value.to_string().contains("\u{202e}Docs"), "{command}: {value}");
            assert!(run.stdout.contains("\\u202eDocs"), "{command}: {}", run.stdout);
        }
    }
    let file = dir.path("forecast.json");
    let run = routemap(&["forecast", "--model", &path, "--output", &file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let streamed = routemap(&["forecast", "--model", &path, "--format", "json"]).stdout;
    assert_eq!(std::fs::read_to_string(&file).expect("the file"), streamed);
}
