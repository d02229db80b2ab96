//! One output path for every command, through the real binary: --format and --output (the
//! format from the file's extension, atomic files, the CSV byte-order mark), write errors,
//! the --fail-on gate naming what trips it, JSON provenance on every command, terminal tables
//! sized to the width, colour, the graph's filters and pictures, the HTML pages, help, version,
//! completions and the man page.

use std::process::{Command, Stdio};

use crate::common::{bad, docx_part, json, ok, redact_rules, routemap};
use crate::test::{Output, TempDir, Test};

/// Run with extra environment variables (colour and width), output through pipes, whatever
/// the exit code: `COLUMNS`, `NO_COLOR` and `CLICOLOR_FORCE` are only what `env` sets.
fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut test = Test::new()
        .args(args.iter().copied())
        .any_status()
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (key, value) in env {
        test = test.env(key, value);
    }
    test.run()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

const BOM: char = '\u{feff}';

// ---- --output and the format it implies ---------------------------------------------------------

#[test]
fn the_extension_of_output_chooses_the_format() {
    let dir = TempDir::new("output-ext");
    let html = dir.path("report.html");
    assert_eq!(ok(&["risk-report", "-o", &html]), "", "nothing on standard output");
    assert!(read(&html).starts_with("<!DOCTYPE html>\n"), "risk-report -o report.html writes HTML");
    let md = dir.path("report.md");
    ok(&["risk-report", "--output", &md]);
    assert!(read(&md).starts_with("# Risk Analysis\n"));
    let j = dir.path("forecast.json");
    ok(&["forecast", "-o", &j]);
    assert_eq!(json(&read(&j))["outcomes"].as_array().map(Vec::len), Some(54));
    let svg = dir.path("r8.svg");
    ok(&["graph", "R8", "-o", &svg]);
    assert!(read(&svg).starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    let dot = dir.path("r8.dot");
    ok(&["graph", "R8", "-o", &dot]);
    assert!(read(&dot).starts_with("digraph routemap {"));
    // --format wins over the extension; an extension no format has leaves the default.
    let forced = dir.path("forced.html");
    ok(&["risk-report", "--format", "md", "-o", &forced]);
    assert!(read(&forced).starts_with("# Risk Analysis"));
    let txt = dir.path("forecast.txt");
    ok(&["forecast", "-o", &txt]);
    assert!(read(&txt).starts_with("Forecast of the ODPM priority outcomes:"));
    assert!(!read(&txt).contains('\u{1b}'), "no colour in a file");
    // Only the files asked for: no temporary file left beside them.
    assert_eq!(
        dir.entries(),
        [
            "forced.html",
            "forecast.json",
            "forecast.txt",
            "r8.dot",
            "r8.svg",
            "report.html",
            "report.md"
        ]
    );
}

#[test]
fn a_format_a_command_does_not_write_is_refused() {
    insta::assert_snapshot!("forecast_format_svg", bad(&["forecast", "--format", "svg"]));
    let test = Test::new();
    let csv = test.path("graph.csv");
    let out = test
        .args(["graph", "-o", &csv])
        .status(2)
        .stdout("")
        .stderr_contains("graph cannot write csv")
        .stderr_contains("give --format: graph writes json, dot, mermaid, svg")
        .run();
    assert!(out.tempdir.entries().is_empty(), "nothing written: {:?}", out.tempdir.entries());
}

#[test]
fn every_command_writes_table_and_json() {
    for args in [
        &["check"][..],
        &["outcomes"],
        &["forecast"],
        &["critical-path", "R8"],
        &["explain", "R8"],
        &["what-if", "--slip", "e-forms=+3m"],
        &["sensitivity", "--by", "+1m"],
        &["exposure"],
        &["bvpi"],
        &["ieg-return"],
    ] {
        for format in ["table", "json"] {
            let run = routemap(&[args, &["--format", format]].concat());
            assert_eq!(run.code, 0, "{args:?} --format {format}: {}", run.stderr);
            assert!(!run.stdout.is_empty(), "{args:?} --format {format}");
        }
    }
}

// ---- JSON provenance ---------------------------------------------------------------------------

#[test]
fn every_commands_json_names_the_model_and_rules() {
    let hash = |v: &serde_json::Value, what: &str| {
        let h = v[what]["hash"].as_str().unwrap_or_else(|| panic!("no {what}.hash in {v:#}"));
        assert_eq!(h.len(), 12, "{what}.hash {h}");
        h.to_string()
    };
    let forecast = json(&ok(&["forecast", "--format", "json"]));
    let (model, rules) = (hash(&forecast, "model"), hash(&forecast, "rules"));
    for args in [
        &["check"][..],
        &["outcomes"],
        &["critical-path", "R8"],
        &["explain", "R8"],
        &["what-if", "--slip", "e-forms=+3m"],
        &["what-if", "--scenario", "fixtures/scenarios/programme-board.yaml"],
        &["sensitivity", "--by", "+1m"],
        &["exposure"],
        &["risk-report"],
        &["bvpi"],
        &["ieg-return"],
        &["graph"],
    ] {
        let out = json(&ok(&[args, &["--format", "json"]].concat()));
        assert_eq!(hash(&out, "model"), model, "{args:?}");
        assert_eq!(hash(&out, "rules"), rules, "{args:?}");
    }
    // A list of paths names them on every path.
    let all = json(&ok(&["critical-path", "--format", "json"]));
    for p in all.as_array().expect("a list") {
        assert_eq!(hash(p, "model"), model);
    }
}

#[test]
fn risk_report_json() {
    let out = ok(&["risk-report", "--format", "json"]);
    let v = json(&out);
    assert_eq!(v["risks"][0]["recorded"]["likelihood"], "High");
    assert!(v["proposed_actions"].as_array().is_some_and(|a| !a.is_empty()));
    insta::assert_snapshot!("risk_report_json", redact_rules(&out));
}

// ---- Write errors --------------------------------------------------------------------------------

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_with_a_message() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
    let out = Command::new(env!("CARGO_BIN_EXE_routemap"))
        .arg("forecast")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::from(full))
        .output()
        .expect("routemap runs");
    assert_eq!(out.status.code(), Some(74));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: cannot write to standard output: no space left on device\n"
    );
}

/// The forecast's JSON is written into an `--output` file as it is serialised, as onto standard
/// output: the same bytes, into a regular file (through its temporary file) and into a file
/// that is not one (`/dev/stdout`).
#[test]
fn json_into_a_file_is_the_json_on_standard_output() {
    let dir = TempDir::new("json-file");
    let file = dir.path("forecast.json");
    let stdout = ok(&["forecast", "--format", "json"]);
    assert_eq!(ok(&["forecast", "--output", &file]), "");
    assert_eq!(read(&file), stdout);
    assert_eq!(dir.entries(), ["forecast.json"], "a temporary file was left");
    #[cfg(target_os = "linux")]
    assert_eq!(ok(&["forecast", "--format", "json", "--output", "/dev/stdout"]), stdout);
}

/// A JSON output that cannot be written into its file is an error naming the file.
#[cfg(target_os = "linux")]
#[test]
fn json_into_a_full_disk_is_an_error_naming_the_file() {
    let stderr = bad(&["forecast", "--format", "json", "--output", "/dev/full"]);
    assert!(stderr.contains("cannot write /dev/full: no space left on device"), "{stderr}");
}

#[test]
fn a_closed_pipe_is_success() {
    // Every critical path as JSON is far more than a pipe holds, so the write meets the
    // closed pipe.
    succeeds_into_a_closed_pipe(&["critical-path", "--format", "json"]);
}

/// Run `routemap ARGS` with its standard output closed before it writes, and insist that it
/// succeeded and said nothing.
fn succeeds_into_a_closed_pipe(args: &[&str]) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_routemap"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("routemap runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("routemap ends");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// The forecast's JSON, written to standard output as it is serialised, meets a closed pipe in
/// the middle of serialising (its 3,000 overdue tasks' assumptions are far more than the
/// writer's buffer): that is success too, not a write error.
#[test]
fn a_closed_pipe_while_json_is_streamed_is_success() {
    let dir = crate::test::TempDir::new("closed-pipe");
    let task = |n| {
        format!(
            "{{\"text\": \"Task {n}\", \"original\": \"Jan 2005\", \"status\": \"In progress\"}}"
        )
    };
    let tasks: Vec<String> = (1..=3000).map(task).collect();
    let model = format!(
        "{{\"document\": {{\"council\": \"C\", \"title\": \"T\", \"version\": \"V\", \
         \"issue_date\": \"2005-04-13\"}}, \"actions\": [{{\"ref\": \"1\", \"section\": \"S\", \
         \"outcomes\": [\"R1\"], \"tasks\": [{}]}}]}}\n",
        tasks.join(", ")
    );
    let path = dir.path("big.json");
    std::fs::write(&path, model).expect("write the model");
    let whole = crate::common::routemap(&["forecast", "--model", &path, "--format", "json"]);
    assert_eq!(whole.code, 0, "{}", whole.stderr);
    assert!(whole.stdout.len() > 4 * 65536, "{} bytes", whole.stdout.len());
    succeeds_into_a_closed_pipe(&["forecast", "--model", &path, "--format", "json"]);
}

// ---- --fail-on -----------------------------------------------------------------------------------

#[test]
fn fail_on_names_the_outcomes_that_trip_it() {
    let run = routemap(&["forecast", "--fail-on", "off_track,unknown", "--format", "json"]);
    assert_eq!(run.code, 1);
    json(&run.stdout);
    insta::assert_snapshot!("fail_on_off_track_unknown", run.stderr);
    let run = routemap(&["forecast", "--fail-on", "on-track", "--fail-on", "achieved"]);
    assert_eq!(run.code, 1);
    assert!(
        // R14 and G14: the council's own actions 53 and 56 are complete (COUNCIL_WORK_DECIDES).
        run.stderr.contains("  achieved (10): R5, R14, R17, R20, R21, R24, R26, G2, G14, G15\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("  on_track (2): R10, R22\n"), "{}", run.stderr);
    let loxley = ["--model", "fixtures/loxley/routemap.yaml", "forecast"];
    let run = routemap(&[&loxley[..], &["--fail-on", "unknown"]].concat());
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "nothing unknown in Loxley's model");
    let run = routemap(&[&loxley[..], &["--fail-on", "on_track"]].concat());
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("1 outcome has that status\n  on_track (1): R9\n"),
        "{}",
        run.stderr
    );
}

// ---- CSV for Excel -------------------------------------------------------------------------------

fn parse_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().expect("a header row").iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("a CSV record").iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

#[test]
fn forecast_csv_for_excel() {
    let test = Test::new();
    let path = test.path("forecast.csv");
    let out = test.args(["forecast", "-o", &path]).stderr("").run();
    let text = read(&out.tempdir.path("forecast.csv"));
    let body = text.strip_prefix(BOM).expect("a CSV file starts with a byte-order mark");
    assert_eq!(body, ok(&["forecast", "--format", "csv"]), "the same rows as on standard output");
    let (headers, rows) = parse_csv(body);
    for h in ["code", "status", "forecast", "not_before", "reason", "owner", "drivers"] {
        assert!(headers.iter().any(|x| x == h), "no {h} column: {headers:?}");
    }
    assert_eq!(rows.len(), 54);
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let r8 = rows.iter().find(|r| r[col("code")] == "R8").expect("R8");
    assert_eq!(r8[col("forecast")], "");
    assert_eq!(
        r8[col("not_before")],
        "2006-02-28",
        "a not-before date where the forecast is blank"
    );
    assert_eq!(r8[col("drivers")], "document-management > 10.2 > R8");
    assert_eq!(r8[col("owner")], "Planning services");
    assert!(!r8[col("reason")].is_empty());
    // Every row without a forecast but with a known floor says so.
    let blank = rows.iter().filter(|r| r[col("forecast")].is_empty()).count();
    let floored = rows
        .iter()
        .filter(|r| r[col("forecast")].is_empty() && !r[col("not_before")].is_empty())
        .count();
    // Only outcomes the council does not deliver, whose partnership work has no date, have
    // neither a forecast nor a not-before date.
    let neither: Vec<&str> = rows
        .iter()
        .filter(|r| r[col("forecast")].is_empty() && r[col("not_before")].is_empty())
        .map(|r| r[col("status")].as_str())
        .collect();
    assert_eq!(blank - floored, neither.len());
    assert!(neither.iter().all(|s| *s == "not_applicable"), "{neither:?}");
    // A second run in the same directory.
    let test = Test::with_tempdir(out.tempdir);
    let plain = test.path("plain.csv");
    let out = test.args(["forecast", "-o", &plain, "--no-bom"]).stderr("").run();
    assert!(
        read(&out.tempdir.path("plain.csv")).starts_with("code,"),
        "--no-bom leaves the mark out"
    );
}

#[test]
fn every_tabular_result_parses_as_csv() {
    for (args, rows) in [
        (&["outcomes"][..], 54),
        (&["critical-path", "R8"], 3),
        (&["what-if", "--slip", "document-management=+6m"], 3),
        (&["sensitivity", "--by", "+3m"], 0),
        (&["exposure"], 54),
        (&["bvpi"], 10),
        (&["ieg-return"], 54),
    ] {
        let (headers, parsed) = parse_csv(&ok(&[args, &["--format", "csv"]].concat()));
        assert!(!headers.is_empty(), "{args:?}");
        if rows > 0 {
            assert_eq!(parsed.len(), rows, "{args:?}");
        } else {
            assert!(!parsed.is_empty(), "{args:?}");
        }
        assert!(parsed.iter().all(|r| r.len() == headers.len()), "{args:?}");
    }
}

// ---- Terminal tables -----------------------------------------------------------------------------

#[test]
fn tables_fit_the_width_and_mark_what_is_cut() {
    let narrow = run_env(&["forecast"], &[("NO_COLOR", "1")]);
    let rows: Vec<&str> =
        narrow.stdout.lines().filter(|l| l.starts_with("  R") || l.starts_with("  G")).collect();
    // The 9 outcomes a district does not deliver are listed apart, not as rows.
    assert_eq!(rows.len(), 45);
    assert!(rows.iter().all(|l| l.chars().count() <= 100), "100 columns into a pipe");
    assert!(rows.iter().any(|l| l.ends_with('…')), "cut titles end in an ellipsis");
    // At 80 columns, the least needed column is left out, and the table says so.
    let eighty = run_env(&["forecast"], &[("NO_COLOR", "1"), ("COLUMNS", "80")]);
    let rows: Vec<&str> =
        eighty.stdout.lines().filter(|l| l.starts_with("  R") || l.starts_with("  G")).collect();
    assert_eq!(rows.len(), 45);
    assert!(rows.iter().all(|l| l.chars().count() <= 80), "{}", eighty.stdout);
    assert!(
        eighty
            .stdout
            .contains("  (driven by left out to fit 80 columns; --format csv has every column)\n")
    );
    let wide = run_env(&["forecast"], &[("NO_COLOR", "1"), ("COLUMNS", "300")]);
    let r3 = wide.stdout.lines().find(|l| l.starts_with("  R3 ")).expect("R3");
    assert!(r3.ends_with("joined up A – Z information on all local authority services"), "{r3}");
}

#[test]
fn the_forecast_leads_with_the_answer() {
    // Wide enough that each count is one line (narrower, each wraps with an indent).
    let out = crate::common::routemap_env(&["forecast"], &[("COLUMNS", "200")]).stdout;
    // The heading paragraph (wrapped to the width), a blank line, then the answer.
    let after: &str = out.split_once("\n\n").expect("a heading paragraph").1;
    let lines: Vec<&str> = after.lines().collect();
    assert_eq!(
        lines[0],
        "24 Required by 31 Dec 2005 (5 more not applicable): 7 achieved, 2 on track, 9 at risk, 4 off track, 2 unknown"
    );
    assert_eq!(
        lines[1],
        "21 Good by 1 Apr 2006 (4 more not applicable): 3 achieved, 15 at risk, 2 off track, 1 unknown"
    );
    // Which verdicts off track rest on the council's own dates, and which on assumptions.
    assert_eq!(
        lines[2],
        "Off track on the council's own dates: R15, R16, R23, G23, G25; only on the rules' assumptions: R8"
    );
    assert_eq!(lines[4], "Needs attention, worst first (33):");
    assert!(lines[7].starts_with("  R8    off track*"), "{}", lines[7]);
    assert!(!out.contains("off_track"), "status words a person reads");
}

#[test]
fn colour_follows_the_color_option_and_no_color() {
    let esc = '\u{1b}';
    let always = run_env(&["forecast", "--color", "always"], &[]);
    assert!(always.stdout.contains(&format!("{esc}[")), "--color always colours a pipe");
    let never = run_env(&["--color", "never", "what-if", "--slip", "document-management=+6m"], &[]);
    assert!(!never.stdout.contains(esc));
    let auto = run_env(&["forecast"], &[]);
    assert!(!auto.stdout.contains(esc), "auto: no colour into a pipe");
    let no_color = run_env(&["exposure", "--color", "auto"], &[("NO_COLOR", "1")]);
    assert!(!no_color.stdout.contains(esc));
    // Colour does not move the columns.
    let strip = |s: &str| {
        let mut out = String::new();
        let mut in_escape = false;
        for c in s.chars() {
            match (in_escape, c) {
                (false, '\u{1b}') => in_escape = true,
                (true, 'm') => in_escape = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    };
    assert_eq!(strip(&always.stdout), auto.stdout);
}

#[test]
fn exposure_markdown_total_is_plain() {
    let md = ok(&["exposure", "--format", "md"]);
    assert!(md.contains("| Total | £500,000 | £150,000 |  |"), "{md}");
    // No emphasis: an escaped asterisk is only ever the mark of a status resting on assumptions.
    assert!(
        md.lines()
            .all(|l| !l.contains("\\*") || l.contains("off track\\*") || l.starts_with("\\*")),
        "{md}"
    );
}

// ---- The graph ---------------------------------------------------------------------------------

fn ids(graph: &serde_json::Value) -> Vec<String> {
    graph["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id").to_string())
        .collect()
}

#[test]
fn graph_of_one_outcome_is_its_upstream() {
    let g = json(&ok(&["graph", "R8", "--format", "json"]));
    assert_eq!(
        ids(&g),
        [
            "R8",
            "document-management",
            "building-control-service-review",
            "10.1",
            "10.2",
            "10.3",
            "10.4",
            "10.5",
            "10.6",
            "10.7",
            "10.1-drawings"
        ]
    );
    let r8 = &g["nodes"][0];
    assert_eq!((r8["status"].as_str(), r8["kind"].as_str()), (Some("off_track"), Some("outcome")));
    let critical: Vec<(&str, &str)> = g["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["critical"] == true)
        .map(|e| (e["from"].as_str().expect("from"), e["to"].as_str().expect("to")))
        .collect();
    assert_eq!(critical, [("document-management", "10.2"), ("10.2", "R8")]);
    let c = json(&ok(&["graph", "R8", "--critical", "--format", "json"]));
    assert_eq!(ids(&c), ["R8", "document-management", "10.2"]);
    assert_eq!(c["edges"].as_array().map(Vec::len), Some(2));
    let two = json(&ok(&["graph", "R8", "G19", "--format", "json"]));
    assert!(ids(&two).contains(&"G19".to_string()) && ids(&two).contains(&"10.2".to_string()));
    let err = bad(&["graph", "R99"]);
    assert!(err.contains("no outcome `R99`"), "{err}");
}

#[test]
fn graph_by_default_shows_only_what_some_outcome_waits_on() {
    let default = json(&ok(&["graph", "--format", "json"]));
    let all = json(&ok(&["graph", "--all", "--format", "json"]));
    let (d, a) = (ids(&default), ids(&all));
    assert!(d.len() < a.len(), "{} of {}", d.len(), a.len());
    // Every node shown is an outcome or has an edge to something shown.
    let edges = default["edges"].as_array().expect("edges");
    for (n, id) in default["nodes"].as_array().expect("nodes").iter().zip(&d) {
        let feeds = edges.iter().any(|e| e["from"] == id.as_str());
        assert!(n["kind"] == "outcome" || feeds, "{id} waits for nothing downstream");
    }
    let critical = json(&ok(&["graph", "--critical", "--format", "json"]));
    assert!(critical["edges"].as_array().expect("edges").iter().all(|e| e["critical"] == true));
    // The critical view draws the chains of the outcomes that need attention, not of every one.
    let f = json(&ok(&["forecast", "--format", "json"]));
    let fine: Vec<&str> = f["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| {
            ["achieved", "on_track", "not_applicable"].contains(&o["status"].as_str().unwrap())
        })
        .map(|o| o["code"].as_str().unwrap())
        .collect();
    let shown = ids(&critical);
    assert!(fine.iter().all(|c| !shown.contains(&c.to_string())), "{shown:?}");
    assert!(shown.contains(&"R8".to_string()));
    // The whole embedded graph is too large to draw legibly: refused, with the views that are.
    let err = bad(&["graph", "--format", "svg"]);
    assert!(err.contains("too many to draw legibly (at most 80)"), "{err}");
    assert!(err.contains("routemap graph --critical --format svg"), "{err}");
    assert!(ok(&["graph", "--critical", "--format", "svg"]).starts_with("<svg "));
}

#[test]
fn graph_svg_of_r8() {
    let svg = ok(&["graph", "R8", "--format", "svg"]);
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    for id in ["R8", "document-management", "10.2", "10.7"] {
        assert!(svg.contains(&format!(">{id}</text>")), "{id} labelled");
    }
    assert_eq!(svg.matches("class=\"edge critical\"").count(), 2);
    assert!(svg.contains("28 Feb 2006 · off track"), "the forecast and status on the node");
    insta::assert_snapshot!("graph_r8_svg", svg);
    insta::assert_snapshot!("graph_r8_dot", ok(&["graph", "R8", "--format", "dot"]));
    insta::assert_snapshot!("graph_r8_mermaid", ok(&["graph", "R8", "--format", "mermaid"]));
}

// ---- The pages ---------------------------------------------------------------------------------

#[test]
fn forecast_dashboard_html() {
    let html = ok(&["forecast", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for banned in ["<script", "src=", "<link", "url(", "http"] {
        assert!(!html.contains(banned), "the page refers out: {banned}");
    }
    assert_eq!(html.matches("<svg ").count(), 2, "the status chart and the Gantt");
    // The table has every outcome; the Gantt every one not achieved, with its deadline.
    // The 45 outcomes the routemap serves and the council delivers; the 9 others listed apart.
    assert_eq!(html.matches("<tr><td>").count(), 45 + 3);
    assert!(html.contains("<h3>Not applicable to this council: 9 outcomes</h3>"), "{html}");
    // Not the 10 achieved outcomes, nor the 9 a district does not deliver.
    assert_eq!(html.matches("<title>must finish by").count(), 54 - 10 - 9);
    insta::assert_snapshot!("forecast_html", redact_rules(&html));
}

#[test]
fn second_council_pages() {
    let loxley = ["--model", "fixtures/loxley/routemap.yaml"];
    let html = ok(&[&loxley[..], &["forecast", "--format", "html"]].concat());
    insta::assert_snapshot!("loxley_forecast_html", redact_rules(&html));
    let report = ok(&[&loxley[..], &["risk-report", "--format", "html"]].concat());
    assert!(report.contains("<section class=\"summary\">"));
    insta::assert_snapshot!("loxley_risk_report_html", crate::common::redact_rules_hash(&report));
    let svg = ok(&[&loxley[..], &["graph", "--format", "svg"]].concat());
    insta::assert_snapshot!("loxley_graph_svg", svg);
    let csv = ok(&[&loxley[..], &["forecast", "--format", "csv"]].concat());
    insta::assert_snapshot!("loxley_forecast_csv", csv);
}

#[test]
fn risk_report_html_leads_with_the_summary() {
    let html = ok(&["risk-report", "--format", "html"]);
    let body = html.split("<body>\n").nth(1).expect("a body");
    assert!(body.starts_with("<h1>Risk Analysis</h1>\n<section class=\"summary\">"), "{body}");
    let summary = body.split("</section>").next().expect("the summary");
    assert!(summary.contains("<td>24 Required outcomes, due by <span class=\"date\">31 December 2005</span></td><td>7 achieved, 2 on track, 9 at risk, 4 off track, 2 unknown, (5 more not applicable)</td>"), "{summary}");
    assert!(
        summary.contains("<td>IEG grant at risk</td><td>£150,000 of £500,000</td>"),
        "{summary}"
    );
    assert!(
        summary
            .contains("<td>9. E-Government target</td><td>High / Medium</td><td>High / High</td>"),
        "{summary}"
    );
    // Four charts, each an inline SVG with no script.
    assert_eq!(html.matches("<svg ").count(), 4);
    assert!(html.contains("counter(page)") && html.contains("counter(pages)"));
    assert!(html.contains(".date { white-space: nowrap; }"));
    assert!(!html.contains("<span class=\"date\">31</span>"));
    // The Gantt's rows are the proposed actions' table's rows.
    let v = json(&ok(&["risk-report", "--format", "json"]));
    let actions = v["proposed_actions"].as_array().expect("actions").len();
    let gantt = html
        .split("aria-label=\"Proposed actions against the date each must finish by\"")
        .nth(1)
        .expect("the Gantt");
    let gantt = gantt.split("</svg>").next().expect("its end");
    assert_eq!(gantt.matches("<title>must finish by").count(), actions);
}

// ---- Help, version, completions, the manual -------------------------------------------------------

const COMMANDS: [&str; 15] = [
    "check",
    "outcomes",
    "forecast",
    "critical-path",
    "explain",
    "what-if",
    "sensitivity",
    "exposure",
    "risk-report",
    "bvpi",
    "ieg-return",
    "graph",
    "completions",
    "man",
    "help",
];

#[test]
fn every_commands_help_ends_with_examples_that_run() {
    let dir = TempDir::new("examples");
    for command in &COMMANDS[..14] {
        let run = routemap(&[command, "--help"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let examples = run
            .stdout
            .split("Examples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{command} --help has no examples:\n{}", run.stdout));
        assert!(!examples.trim().is_empty());
        for line in examples.lines() {
            // The shell's redirections and pipes left to the shell; a model of one's own is
            // the second council's.
            let line = line.split(['>', '|']).next().unwrap_or("").trim();
            let mut args: Vec<String> = line
                .split_whitespace()
                .skip(1)
                .map(|a| {
                    if a == "my-council.yaml" {
                        "fixtures/loxley/routemap.yaml".into()
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            assert_eq!(line.split_whitespace().next(), Some("routemap"), "{line}");
            // Files asked for with -o go to a temporary directory.
            for i in 0..args.len() {
                if args[i] == "-o" || args[i] == "--output" {
                    args[i + 1] = dir.path(&args[i + 1]);
                }
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = routemap(&args);
            let gate = args.contains(&"--fail-on") || args.contains(&"--deny-warnings");
            assert!(run.code == 0 || gate && run.code == 1, "{line}: {}", run.stderr);
        }
    }
}

#[test]
fn version_names_the_embedded_model_and_rules() {
    let v = ok(&["--version"]);
    let lines: Vec<&str> = v.lines().collect();
    assert_eq!(lines[0], format!("routemap {}", env!("CARGO_PKG_VERSION")));
    assert!(lines[1].starts_with("embedded model: Charnwood Borough Council Version 3"), "{v}");
    assert!(lines[2].starts_with("embedded rules: 8 files (hash "), "{v}");
    let short = ok(&["-V"]);
    assert!(short.starts_with("routemap "));
}

#[test]
fn completions_and_the_manual() {
    let bash = ok(&["completions", "bash"]);
    assert!(bash.contains("_routemap()") && bash.contains("risk-report"), "{bash}");
    let zsh = ok(&["completions", "zsh"]);
    assert!(zsh.starts_with("#compdef routemap"));
    let man = ok(&["man"]);
    assert!(man.contains(".TH routemap 1"), "{man}");
    assert!(man.contains(".SS \"routemap risk\\-report\""), "every command in the manual");
    // One page: no reference to pages that do not exist; exit codes and environment.
    assert!(!man.contains("routemap\\-check(1)") && !man.contains("(1)\n"), "{man}");
    for section in
        [".SH \"EXIT STATUS\"", ".SH ENVIRONMENT", "ROUTEMAP_RULES_TIME_LIMIT", "\\fB130\\fR"]
    {
        assert!(man.contains(section), "{section} in the manual");
    }
    // A command's help lists the formats it writes, its default first, and no others.
    let help = ok(&["graph", "--help"]);
    let listed: Vec<&str> = help
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .filter_map(|l| l.split(':').next())
        .collect();
    assert_eq!(listed[..4], ["json", "dot", "mermaid", "svg"], "{help}");
    assert!(!help.contains("- table:"), "{help}");
    let err = routemap(&["completions", "tcsh"]);
    assert_eq!(err.code, 2);
}

// ---- Word --------------------------------------------------------------------------------------

#[test]
fn risk_report_as_a_word_document() {
    let dir = TempDir::new("docx");
    let path = dir.path("risk-report.docx");
    ok(&["risk-report", "-o", &path]);
    let body = docx_part(&path, "word/document.xml");
    let styles = docx_part(&path, "word/styles.xml");
    // Word's own styles, so that the text takes a council template's look.
    assert!(
        styles.contains("w:val=\"heading 1\"") && styles.contains("w:val=\"Table Grid\""),
        "{styles}"
    );
    assert!(
        body.contains("<w:pStyle w:val=\"Heading1\" />")
            || body.contains("<w:pStyle w:val=\"Heading1\"/>"),
        "{body}"
    );
    assert!(body.contains("w:tblStyle w:val=\"TableGrid\""), "tables in Table Grid");
    // Every heading of the Markdown report is there, as text.
    let md = ok(&["risk-report"]);
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    for heading in md
        .lines()
        .filter_map(|l| l.trim_start_matches('#').strip_prefix(' ').filter(|_| l.starts_with('#')))
    {
        let heading = heading.replace('\\', "");
        assert!(body.contains(&format!(">{}</w:t>", esc(&heading))), "no heading {heading:?}");
    }
    assert!(body.contains("Likelihood after proposed actions:"));
    // The same bytes every time.
    let again = dir.path("again.docx");
    ok(&["risk-report", "--format", "docx", "-o", &again]);
    assert_eq!(std::fs::read(&path).ok(), std::fs::read(&again).ok());
    // Not to a terminal or a pipe.
    let err = bad(&["risk-report", "--format", "docx"]);
    assert!(err.contains("risk-report writes docx only to a file"), "{err}");
}

/// The names of the parts of a Word file.
fn docx_parts(path: &str) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    let zip = zip::ZipArchive::new(file).expect("a docx is a zip file");
    zip.file_names().map(String::from).collect()
}

/// Each table of a Word body: its grid's column widths and the cell count of each row.
fn docx_tables(body: &str) -> Vec<(Vec<u64>, Vec<usize>)> {
    let xml = roxmltree::Document::parse(body).expect("well-formed XML");
    let w = |node: &roxmltree::Node, name: &str| node.has_tag_name(name);
    xml.descendants()
        .filter(|n| w(n, "tbl"))
        .map(|tbl| {
            let grid: Vec<u64> = tbl
                .children()
                .filter(|n| w(n, "tblGrid"))
                .flat_map(|g| g.children().filter(|n| w(n, "gridCol")).collect::<Vec<_>>())
                .map(|col| {
                    col.attributes()
                        .find(|a| a.name() == "w")
                        .and_then(|a| a.value().parse().ok())
                        .expect("a gridCol with a width")
                })
                .collect();
            let rows = tbl
                .children()
                .filter(|n| w(n, "tr"))
                .map(|tr| tr.children().filter(|n| w(n, "tc")).count())
                .collect();
            (grid, rows)
        })
        .collect()
}

#[test]
fn word_tables_have_grids_normal_is_defined_once_and_every_chart_is_a_picture() {
    // The embedded routemap (four charts), a model with no risk register (no likelihood ×
    // impact grid) and one with the simulation's section too.
    let runs: [&[&str]; 3] = [
        &["risk-report"],
        &["--model", "fixtures/bvpi/small.yaml", "risk-report"],
        &["risk-report", "--simulate", "200"],
    ];
    let dir = TempDir::new("docx-grid");
    for (k, args) in runs.iter().enumerate() {
        let path = dir.path(&format!("paper-{k}.docx"));
        ok(&[args, &["--format", "docx", "-o", &path][..]].concat());
        let body = docx_part(&path, "word/document.xml");
        let tables = docx_tables(&body);
        assert!(!tables.is_empty(), "{args:?}: no tables");
        for (grid, rows) in &tables {
            assert!(!grid.is_empty(), "{args:?}: an empty tblGrid");
            for cells in rows {
                assert_eq!(*cells, grid.len(), "{args:?}: a row's cells against its grid {grid:?}");
            }
            assert!(grid.iter().all(|w| *w > 0), "{args:?}: {grid:?}");
            let width: u64 = grid.iter().sum();
            assert!((8000..=9100).contains(&width), "{args:?}: fits A4 portrait text: {width}");
        }
        let styles = docx_part(&path, "word/styles.xml");
        assert_eq!(styles.matches("w:styleId=\"Normal\"").count(), 1, "{styles}");
        // One picture per chart of the HTML, each a PNG in the package.
        let html = ok(&[args, &["--format", "html"][..]].concat());
        let charts = html.matches("<svg ").count();
        assert!(charts >= 2, "{args:?}: {charts} charts");
        assert_eq!(body.matches("<pic:pic").count(), charts, "{args:?}");
        let media: Vec<String> = docx_parts(&path)
            .into_iter()
            .filter(|p| p.starts_with("word/media/") && !p.ends_with('/'))
            .collect();
        assert_eq!(media.len(), charts, "{args:?}: {media:?}");
        for part in &media {
            assert!(part.ends_with(".png"), "{part}");
        }
        // Each picture's caption, as in the HTML.
        for caption in html.split("<figcaption>").skip(1) {
            let caption = caption.split("</figcaption>").next().unwrap_or_default();
            assert!(body.contains(&format!(">{caption}</w:t>")), "{args:?}: no caption {caption}");
        }
    }
}

/// Edges that pass columns between their ends run along the free rows of those columns: no
/// point of an edge, straight or curved, falls inside a node's box.
#[test]
fn graph_edges_run_around_nodes() {
    for args in [
        &["graph", "--critical", "--format", "svg"][..],
        &["graph", "R8", "G19", "--format", "svg"],
    ] {
        let svg = ok(args);
        let num = |s: &str| s.trim_end_matches(',').parse::<f64>().expect("a number");
        let attr = |tag: &str, name: &str| -> f64 {
            let at = tag.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
            num(tag[at..].split('"').next().unwrap())
        };
        let boxes: Vec<(f64, f64, f64, f64)> = svg
            .split("<g class=\"node ")
            .skip(1)
            .map(|g| {
                let rect = g.split("<rect").nth(1).expect("a box");
                (attr(rect, "x"), attr(rect, "y"), attr(rect, "width"), attr(rect, "height"))
            })
            .collect();
        let inside = |(x, y): (f64, f64)| {
            boxes.iter().any(|&(bx, by, bw, bh)| bx < x && x < bx + bw && by < y && y < by + bh)
        };
        let mut passing = 0;
        for path in svg.split("<path class=\"edge").skip(1) {
            let d = path.split("d=\"").nth(1).unwrap().split('"').next().unwrap();
            let w: Vec<&str> = d.split_whitespace().collect();
            let mut last = (num(w[1]), num(w[2]));
            let mut i = 3;
            while i < w.len() {
                let (controls, end) = match w[i] {
                    "L" => (vec![], (num(w[i + 1]), num(w[i + 2]))),
                    "C" => (
                        vec![(num(w[i + 1]), num(w[i + 2])), (num(w[i + 3]), num(w[i + 4]))],
                        (num(w[i + 5]), num(w[i + 6])),
                    ),
                    other => panic!("{other} in {d}"),
                };
                for k in 1..40 {
                    let t = f64::from(k) / 40.0;
                    let p = match controls.as_slice() {
                        [] => (last.0 + t * (end.0 - last.0), last.1 + t * (end.1 - last.1)),
                        [c1, c2] => {
                            let b = |a: f64, b: f64, c: f64, e: f64| {
                                let u = 1.0 - t;
                                u * u * u * a
                                    + 3.0 * u * u * t * b
                                    + 3.0 * u * t * t * c
                                    + t * t * t * e
                            };
                            (b(last.0, c1.0, c2.0, end.0), b(last.1, c1.1, c2.1, end.1))
                        }
                        _ => unreachable!(),
                    };
                    assert!(!inside(p), "{args:?}: {d} passes through a node at {p:?}");
                }
                passing += usize::from(w[i] == "L");
                last = end;
                i += if w[i] == "L" { 3 } else { 7 };
            }
        }
        assert!(passing > 0, "{args:?}: some edge passes a column");
    }
}
