//! `routemap risk-report`: the routemap's Risk Analysis section written from the forecast
//! (src/risk.rs, src/report/risk_report.rs, rules/risk.rhai).
//!
//! Snapshots of the Markdown and HTML on the embedded Charnwood routemap and with the programme
//! board's scenarios; the HTML as one self-contained, well-formed, correctly escaped page; risk
//! rules changed or broken (fixtures/rules/risk-*); the tables checked row by row against
//! `forecast --format json` and the model; `--output` written atomically; and `--as-of`.
//!
//! The rule files' hash is taken out of the snapshots ([`redact_rules_hash`]): it changes
//! whenever any rule file is edited. What the rules decide stays in: levels, reasons, amounts.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::{bad, docx_body, json, ok, redact_rules_hash};
use crate::test::{TempDir, Test};
use chrono::NaiveDate;
use routemap::graph::Item;
use routemap::model::{Source, Status};
use routemap::schedule;
use routemap::session::Session;
use serde_json::Value;

const PROGRAMME_BOARD: &str = "fixtures/scenarios/programme-board.yaml";
/// rules/risk.rhai with HIGH_OFF_TRACK raised from 3 to 8.
const HIGH_OFF_TRACK_8: &str = "fixtures/rules/risk-high-off-track";
/// A risk.rhai whose `assess` returns the likelihood "Severe".
const BAD_LEVEL: &str = "fixtures/rules/risk-bad-level";
/// A risk.rhai whose reasons hold HTML and Markdown markup.
const MARKUP: &str = "fixtures/rules/risk-markup";

// ---- Reading the Markdown back -------------------------------------------------------------------

/// One pipe table of a Markdown report, with the headings it sits under.
#[derive(Debug)]
struct Table {
    /// The last `## ` heading before it.
    h2: String,
    /// The last `### ` heading after that `## ` one, if any.
    h3: Option<String>,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Undo the report's Markdown escapes: a backslash before ASCII punctuation.
fn md_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// The cells of one table line, split on the pipes that are not escaped, unescaped.
fn md_cells(line: &str) -> Vec<String> {
    let inner = line
        .trim()
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .unwrap_or_else(|| panic!("not a table row: {line}"));
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        if c == '|' && !escaped {
            cells.push(md_unescape(cell.trim()));
            cell.clear();
        } else {
            cell.push(c);
        }
        escaped = c == '\\' && !escaped;
    }
    cells.push(md_unescape(cell.trim()));
    cells
}

/// Every pipe table of a Markdown document, in order.
fn md_tables(md: &str) -> Vec<Table> {
    let mut tables = Vec::new();
    let (mut h2, mut h3) = (String::new(), None);
    let mut lines = md.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(h) = line.strip_prefix("## ") {
            (h2, h3) = (h.to_string(), None);
        } else if let Some(h) = line.strip_prefix("### ") {
            h3 = Some(h.to_string());
        } else if line.starts_with('|') {
            let headers = md_cells(line);
            let rule = lines.next().unwrap_or_default();
            assert_eq!(rule, format!("|{}", "---|".repeat(headers.len())), "after {line}");
            let mut rows = Vec::new();
            while let Some(row) = lines.next_if(|l| l.starts_with('|')) {
                let cells = md_cells(row);
                assert_eq!(cells.len(), headers.len(), "a row of the table under {h2}: {row}");
                rows.push(cells);
            }
            tables.push(Table { h2: h2.clone(), h3: h3.clone(), headers, rows });
        }
    }
    tables
}

/// The one table under heading `h2` (and `h3`), checked to have these column headings.
fn table<'a>(tables: &'a [Table], h2: &str, h3: Option<&str>, headers: &[&str]) -> &'a Table {
    let found: Vec<&Table> =
        tables.iter().filter(|t| t.h2 == h2 && t.h3.as_deref() == h3).collect();
    assert_eq!(found.len(), 1, "expected one table under {h2} / {h3:?}, found {found:#?}");
    assert_eq!(found[0].headers, headers, "the columns of the table under {h2} / {h3:?}");
    found[0]
}

const NOT_ON_TRACK: &str = "Required outcomes not on track";
const NOT_ON_TRACK_COLUMNS: &[&str] =
    &["Outcome", "Status", "Forecast", "Slack", "Driven by", "Responsibility"];
const RISK_9: &str = "9. E-Government target";
const ACTION_COLUMNS: &[&str] =
    &["Proposed action", "Holds up", "Must finish by", "Forecast", "Responsibility"];

/// The outcome code that leads an "Outcome" cell: `R8 Receipt and processing…`.
fn code_of(cell: &str) -> &str {
    cell.split(' ').next().unwrap_or_default()
}

/// The id in the trailing parentheses of a "Proposed action" cell: `Back office links… (10.2)`.
fn action_id(cell: &str) -> &str {
    cell.rsplit_once(" (")
        .and_then(|(_, id)| id.strip_suffix(')'))
        .unwrap_or_else(|| panic!("no (id) at the end of the proposed action {cell:?}"))
}

// ---- Reading the forecast ------------------------------------------------------------------------

/// `forecast --format json`'s outcomes by code, run with `args` before the command.
fn forecast(args: &[&str]) -> BTreeMap<String, Value> {
    let out = ok(&[args, &["forecast", "--format", "json"]].concat());
    json(&out)["outcomes"]
        .as_array()
        .expect("an outcomes array")
        .iter()
        .map(|o| (o["code"].as_str().expect("a code").to_string(), o.clone()))
        .collect()
}

fn text<'a>(o: &'a Value, key: &str) -> &'a str {
    o[key].as_str().unwrap_or_else(|| panic!("no string `{key}` in {o:#}"))
}

/// An outcome's drivers as the report writes them: the work, not outcomes, root cause first.
fn driver_ids<'a>(o: &'a Value, outcomes: &BTreeMap<String, Value>) -> Vec<&'a str> {
    o["drivers"]
        .as_array()
        .unwrap_or_else(|| panic!("no drivers array in {o:#}"))
        .iter()
        .map(|d| d.as_str().expect("a driver id"))
        .filter(|d| !outcomes.contains_key(*d))
        .collect()
}

fn is_required(o: &Value) -> bool {
    text(o, "category") == "required"
}

/// The report's words for a status.
fn status_words(status: &str) -> &'static str {
    match status {
        "achieved" => "Achieved",
        "on_track" => "On track",
        "at_risk" => "At risk",
        "off_track" => "Forecast to miss",
        "unknown" => "Cannot yet be forecast",
        other => panic!("unknown status {other}"),
    }
}

// ---- Snapshots -----------------------------------------------------------------------------------

#[test]
fn markdown() {
    let out = ok(&["risk-report"]);
    assert!(out.starts_with("# Risk Analysis\n"), "{out}");
    assert_eq!(out, ok(&["risk-report", "--format", "md"]), "Markdown is the default");
    insta::assert_snapshot!("risk_report_md", redact_rules_hash(&out));
}

#[test]
fn html() {
    let out = ok(&["risk-report", "--format", "html"]);
    assert!(out.starts_with("<!DOCTYPE html>\n"), "{out}");
    insta::assert_snapshot!("risk_report_html", redact_rules_hash(&out));
}

#[test]
fn programme_board_scenarios() {
    let out = ok(&["risk-report", "--scenario", PROGRAMME_BOARD]);
    // The report without scenarios, then the scenarios before the closing line.
    let plain = ok(&["risk-report"]);
    let (body, generated) = plain.rsplit_once("\n\nGenerated by").expect("a closing line");
    assert!(out.starts_with(&format!("{body}\n\n## Scenarios\n")), "{out}");
    assert!(out.ends_with(&format!("\n\nGenerated by{generated}")), "{out}");
    assert!(out.contains(&format!("each scenario of {PROGRAMME_BOARD} supposes")), "{out}");
    insta::assert_snapshot!("risk_report_programme_board_md", redact_rules_hash(&out));
}

#[test]
fn scenario_rows_agree_with_what_if() {
    // The scenario table's counts and exposure are those `what-if` gives for the same file.
    let out = ok(&["risk-report", "--scenario", PROGRAMME_BOARD]);
    let tables = md_tables(&out);
    let t = table(
        &tables,
        "Scenarios",
        None,
        &[
            "Scenario",
            "Required forecast to miss",
            "Required at risk or not forecast",
            "IEG grant at risk",
            "Likelihood (risk 9)",
            "Impact (risk 9)",
        ],
    );
    let w = json(&ok(&["what-if", "--scenario", PROGRAMME_BOARD, "--format", "json"]));
    let row = |name: &str, summary: &Value, gbp: &Value| {
        let n = |status: &str| summary["required"][status].as_u64().expect("a count");
        vec![
            name.to_string(),
            n("off_track").to_string(),
            (n("at_risk") + n("unknown")).to_string(),
            routemap::report::text::gbp(gbp.as_u64().expect("pounds")),
        ]
    };
    let mut expected = vec![row("Forecast", &w["baseline_summary"], &w["baseline_exposure_gbp"])];
    for sc in w["scenarios"].as_array().expect("scenarios") {
        expected.push(row(
            text(sc, "name"),
            &sc["summary"]["scenario"],
            &sc["exposure"]["scenario_gbp"],
        ));
    }
    let got: Vec<Vec<String>> = t.rows.iter().map(|r| r[..4].to_vec()).collect();
    assert_eq!(got, expected);
    assert_eq!(t.rows.len(), 4, "the forecast and the file's three scenarios");
    // Each scenario's own table lists the Required outcomes whose position what-if says it
    // changes, and no others; a scenario that changes none says so instead of a table.
    for sc in w["scenarios"].as_array().expect("scenarios") {
        let name = text(sc, "name");
        let mut moved: Vec<String> = sc["changed"]
            .as_array()
            .expect("changed")
            .iter()
            .filter(|c| c["category"] == "required")
            .map(|c| text(c, "code").to_string())
            .collect();
        moved.sort();
        let columns =
            ["Outcome", "In the forecast", "In this scenario", "Driven by", "Responsibility"];
        let mut listed: Vec<String> = tables
            .iter()
            .filter(|x| x.h2 == "Scenarios" && x.h3.as_deref() == Some(name))
            .filter(|x| x.headers == columns)
            .flat_map(|x| x.rows.iter().map(|r| code_of(&r[0]).to_string()))
            .collect();
        listed.sort();
        assert_eq!(listed, moved, "{name}");
        if moved.is_empty() {
            assert!(out.contains("No Required outcome's position changes."), "{name}");
        }
    }
}

// ---- The HTML page -------------------------------------------------------------------------------

/// The elements a report's page is made of.
const ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "h1",
    "h2",
    "h3",
    "p",
    "strong",
    "ul",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "section",
    "span",
    "figure",
    "figcaption",
    // Inline SVG charts.
    "svg",
    "g",
    "rect",
    "line",
    "path",
    "circle",
    "text",
    "defs",
    "marker",
];
/// HTML elements with no closing tag.
const VOID: &[&str] = &["meta"];

/// Check that `html` is well formed as routemap writes it: every `<` opens a tag of
/// [`ELEMENTS`], every element but `meta` is closed in order, and the text between tags holds no
/// `>` and no `&` but the entities routemap writes. Returns the tags' names, in order.
fn check_well_formed(html: &str) -> Vec<String> {
    let body = html.strip_prefix("<!DOCTYPE html>\n").expect("a doctype first");
    let mut stack: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut rest = body;
    loop {
        let (text, after) = match rest.split_once('<') {
            Some((text, after)) => (text, Some(after)),
            None => (rest, None),
        };
        assert!(!text.contains('>'), "a stray > in the text {text:?}");
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;"].iter().any(|e| entity.starts_with(e)),
                "a bare & in the text {text:?}"
            );
        }
        let Some(after) = after else { break };
        let (tag, next) =
            after.split_once('>').unwrap_or_else(|| panic!("an unclosed tag <{after}"));
        assert!(!tag.contains('<'), "a < inside the tag <{tag}>");
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(t) => (true, t),
            None => (false, tag),
        };
        let name = tag.split(' ').next().unwrap_or_default().to_string();
        assert!(ELEMENTS.contains(&name.as_str()), "not an element of a report: <{tag}>");
        let self_closing = !closing && tag.ends_with('/');
        if self_closing {
        } else if closing {
            let open = stack.pop().unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else if !VOID.contains(&name.as_str()) {
            stack.push(name.clone());
        }
        tags.push(name);
        rest = next;
    }
    assert!(stack.is_empty(), "never closed: {stack:?}");
    tags
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// The text of every `<th>` and `<td>`, one list per table row, unescaped, outside the summary
/// box (whose tables the Markdown does not have), with the spans that keep dates on one line
/// taken out.
fn html_table_rows(html: &str) -> Vec<Vec<String>> {
    let mut in_summary = false;
    html.lines()
        .filter(|l| {
            if l.starts_with("<section class=\"summary\">") {
                in_summary = true;
            } else if l.starts_with("</section>") {
                in_summary = false;
            }
            !in_summary
        })
        .map(|l| l.replace("<span class=\"date\">", "").replace("</span>", ""))
        .filter(|l| l.contains("<th>") || l.contains("<td>"))
        .map(|l| {
            l.split("</t")
                .filter_map(|c| c.rsplit_once("<th>").or_else(|| c.rsplit_once("<td>")))
                .map(|(_, cell)| html_unescape(cell))
                .collect()
        })
        .collect()
}

#[test]
fn the_page_checks_catch_what_they_look_for() {
    let page = |body: &str| format!("<!DOCTYPE html>\n<html>\n<body>\n{body}</body>\n</html>\n");
    let fails = |body: &str| std::panic::catch_unwind(|| check_well_formed(&page(body))).is_err();
    assert!(!fails("<table>\n<tbody>\n<tr><td>a &amp; &lt;b&gt;</td></tr>\n</tbody>\n</table>\n"));
    assert!(fails("<table>\n<tr><td>a</td></tr>\n"), "an unclosed table");
    assert!(fails("<table><tr><td>a</tr></td></table>"), "tags closed out of order");
    assert!(fails("<p>Title & Description</p>"), "a bare &");
    assert!(fails("<p>a <embedded> b</p>"), "a < that is text");
    assert!(fails("<p>a > b</p>"), "a > that is text");
    assert_eq!(md_cells("| a \\| b | \\<c> | |"), ["a | b", "<c>", ""]);
}

#[test]
fn html_is_one_self_contained_page() {
    let html = ok(&["risk-report", "--format", "html"]);
    for banned in ["http", "src=", "<link", "@import", "<script", "url("] {
        assert!(!html.to_lowercase().contains(banned), "the page refers out: {banned}");
    }
    assert!(html.contains("@page { size: A4"), "{html}");
    let tags = check_well_formed(&html);
    let count = |name: &str| tags.iter().filter(|t| *t == name).count();
    assert!(count("table") > 0);
    assert_eq!(html.matches("<table>").count(), html.matches("</table>").count());
    assert_eq!(count("html"), 2);
    assert_eq!(count("style"), 2);
}

#[test]
fn html_escapes_ampersands_and_angle_brackets() {
    let html = ok(&["risk-report", "--format", "html"]);
    // "Title & Description"; markup from rules is covered by
    // `markup_from_the_rules_is_written_as_text`. The built-in rules are named in words, not by
    // the program's `<embedded>/` paths.
    assert!(html.contains("<strong>Title &amp; Description:</strong>"), "{html}");
    assert!(!html.contains("Title & Description"), "{html}");
    assert!(html.contains("(the built-in rules)"), "{html}");
    assert!(!html.contains("embedded"), "{html}");
    check_well_formed(&html);
}

#[test]
fn html_tables_say_what_the_markdown_tables_say() {
    let md = ok(&["risk-report", "--scenario", PROGRAMME_BOARD]);
    let html = ok(&["risk-report", "--scenario", PROGRAMME_BOARD, "--format", "html"]);
    let from_md: Vec<Vec<String>> =
        md_tables(&md).into_iter().flat_map(|t| std::iter::once(t.headers).chain(t.rows)).collect();
    let from_html = html_table_rows(&html);
    assert!(from_md.len() > 50, "{from_md:#?}");
    assert_eq!(from_html, from_md);
    // Beside the Markdown's tables, the HTML's summary box has two of its own.
    let summary = html.split("<section class=\"summary\">").nth(1).unwrap_or_default();
    let summary = summary.split("</section>").next().unwrap_or_default();
    assert_eq!(summary.matches("<table>").count(), 2, "{summary}");
    assert_eq!(html.matches("<table>").count(), md_tables(&md).len() + 2);
}

#[test]
fn markup_from_the_rules_is_written_as_text() {
    let html = ok(&["--rules", MARKUP, "risk-report", "--format", "html"]);
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    check_well_formed(&html);
    assert!(
        html.contains(
            "because &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;R&amp;D&lt;/b&gt; &quot;quoted&quot;; and an impact of Medium, because a &lt; b &amp;&amp; b &gt; c, *not bold*.</p>"
        ),
        "{html}"
    );
    let md = ok(&["--rules", MARKUP, "risk-report"]);
    assert!(
        md.contains(
            "because \\<script>alert(1)\\</script> & \\<b>R&D\\</b> \"quoted\"; and an impact of Medium, because a \\< b && b > c, \\*not bold\\*.\n"
        ),
        "{md}"
    );
}

// ---- Changed and broken risk rules ---------------------------------------------------------------

/// The likelihood cells of risk 9's table: (recorded in the register, assessed).
fn likelihood_9(md: &str) -> (String, String) {
    let tables = md_tables(md);
    let t = table(
        &tables,
        RISK_9,
        None,
        &["", "Recorded in the register", "Assessed from the forecast"],
    );
    let row = t.rows.iter().find(|r| r[0] == "Likelihood").expect("a Likelihood row");
    (row[1].clone(), row[2].clone())
}

/// The paragraph that starts with `start`.
fn paragraph<'a>(md: &'a str, start: &str) -> &'a str {
    let found: Vec<&str> = md.split("\n\n").filter(|p| p.starts_with(start)).collect();
    assert_eq!(found.len(), 1, "expected one paragraph starting {start:?} in:\n{md}");
    found[0]
}

const DISAGREES: &str = "**The evidence disagrees with the register:**";

#[test]
fn the_fixture_changes_only_high_off_track() {
    let default =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/risk.rhai")).unwrap();
    let fixture = std::fs::read_to_string(format!(
        "{}/{HIGH_OFF_TRACK_8}/risk.rhai",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (header, copy) = fixture.split_once("\n\n").expect("a header, then the copy");
    assert!(header.lines().all(|l| l.starts_with("// ")), "{header}");
    let changed: Vec<(&str, &str)> =
        default.lines().zip(copy.lines()).filter(|(d, c)| d != c).collect();
    assert_eq!(
        (default.lines().count(), changed),
        (copy.lines().count(), vec![("const HIGH_OFF_TRACK = 3;", "const HIGH_OFF_TRACK = 8;")]),
        "refresh {HIGH_OFF_TRACK_8}/risk.rhai from rules/risk.rhai, raising HIGH_OFF_TRACK to 8"
    );
}

#[test]
fn raising_high_off_track_lowers_the_likelihood_of_risk_9() {
    let default = ok(&["risk-report"]);
    let custom = ok(&["--rules", HIGH_OFF_TRACK_8, "risk-report"]);
    let off_track = forecast(&[])
        .values()
        .filter(|o| is_required(o) && text(o, "status") == "off_track")
        .count();
    assert_eq!(off_track, 4, "the seed's Required outcomes forecast to miss");

    assert_eq!(likelihood_9(&default), ("High".into(), "High".into()));
    assert_eq!(likelihood_9(&custom), ("High".into(), "Medium".into()));
    assert_eq!(
        paragraph(&default, "The forecast gives"),
        "The forecast gives a likelihood of High, because 4 Required outcomes are forecast to miss the deadline (1 of them only on the rules' assumptions), and 3 or more make it High; and an impact of High, because £150,000 of IEG grant is at risk, and £100,000 or more makes it High."
    );
    assert_eq!(
        paragraph(&custom, "The forecast gives"),
        "The forecast gives a likelihood of Medium, because 4 Required outcomes are forecast to miss the deadline (1 of them only on the rules' assumptions), fewer than the 8 that would make it High; and an impact of High, because £150,000 of IEG grant is at risk, and £100,000 or more makes it High."
    );
    assert_eq!(
        paragraph(&default, DISAGREES),
        format!("{DISAGREES} the impact is above the register's Medium.")
    );
    assert_eq!(
        paragraph(&custom, DISAGREES),
        format!(
            "{DISAGREES} the likelihood is below the register's High, and the impact is above the register's Medium."
        )
    );
    // Nothing else moves but the rules' identity on the last line.
    let changed: Vec<usize> = default
        .lines()
        .zip(custom.lines())
        .enumerate()
        .filter(|(_, (d, c))| d != c)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(default.lines().count(), custom.lines().count());
    let last = default.lines().count() - 1;
    let at = |md: &str, i: usize| md.lines().nth(i).unwrap_or_default().to_string();
    assert_eq!(
        changed.iter().map(|i| at(&default, *i)).collect::<Vec<_>>(),
        vec![
            "| Likelihood | High | High |".to_string(),
            paragraph(&default, "The forecast gives").to_string(),
            paragraph(&default, DISAGREES).to_string(),
            at(&default, last),
        ]
    );
    assert!(at(&custom, last).contains(&format!("{HIGH_OFF_TRACK_8}/risk.rhai)")), "{custom}");
}

#[test]
fn a_bad_level_is_refused_and_located() {
    let stderr = bad(&["--rules", BAD_LEVEL, "risk-report"]);
    assert!(stderr.contains(&format!("{BAD_LEVEL}/risk.rhai:5:1")), "{stderr}");
    assert!(stderr.contains("Severe"), "{stderr}");
    insta::assert_snapshot!("bad_level_stderr", stderr);
    // Whatever the format.
    assert_eq!(bad(&["--rules", BAD_LEVEL, "risk-report", "--format", "html"]), stderr);
}

// ---- The tables against the forecast -------------------------------------------------------------

/// Judged on the issue date and on 1 October 2005, when more is late.
const AS_OF: &[&[&str]] = &[&[], &["--as-of", "2005-10-01"]];

#[test]
fn every_required_outcome_off_track_is_listed_with_its_drivers_and_owner() {
    for &args in AS_OF {
        let outcomes = forecast(args);
        let md = ok(&[args, &["risk-report"]].concat());
        let tables = md_tables(&md);
        let t = table(&tables, NOT_ON_TRACK, None, NOT_ON_TRACK_COLUMNS);
        let rows: BTreeMap<&str, &Vec<String>> =
            t.rows.iter().map(|r| (code_of(&r[0]), r)).collect();
        assert_eq!(rows.len(), t.rows.len(), "{args:?}: an outcome listed twice");

        // Exactly the Required outcomes at risk, off track or not forecast that the routemap
        // serves, none other.
        let expected: BTreeSet<&str> = outcomes
            .iter()
            .filter(|(_, o)| {
                is_required(o)
                    && o["served"] == true
                    && ["at_risk", "off_track", "unknown"].contains(&text(o, "status"))
            })
            .map(|(c, _)| c.as_str())
            .collect();
        assert_eq!(rows.keys().copied().collect::<BTreeSet<_>>(), expected, "{args:?}");
        let off_track = outcomes
            .values()
            .filter(|o| is_required(o) && text(o, "status") == "off_track")
            .count();
        assert!(off_track >= 4, "{args:?}: the seed has Required outcomes off track");

        // Owners along each outcome's critical path.
        let paths = json(&ok(&[args, &["critical-path", "--format", "json"]].concat()));
        let owners = |code: &str| -> Vec<String> {
            let path = paths
                .as_array()
                .expect("an array of paths")
                .iter()
                .find(|p| p["outcome"] == code)
                .unwrap_or_else(|| panic!("no critical path for {code}"));
            path["steps"]
                .as_array()
                .expect("steps")
                .iter()
                .filter_map(|s| s["owner"].as_str().map(String::from))
                .collect()
        };

        for (code, row) in &rows {
            let o = &outcomes[*code];
            // A status resting on the rules' assumptions is marked.
            let mark = if text(o, "basis") == "assumed" { "*" } else { "" };
            assert_eq!(
                row[1],
                format!("{}{mark}", status_words(text(o, "status"))),
                "{args:?} {code}"
            );
            let drivers = driver_ids(o, &outcomes);
            let written = if drivers.is_empty() {
                "its own tasks".to_string()
            } else {
                drivers.join(" → ")
            };
            assert_eq!(row[4], written, "{args:?}: {code}'s drivers");
            assert!(!row[5].trim().is_empty(), "{args:?}: no responsibility for {code}");
            for owner in owners(code) {
                assert!(
                    row[5].split("; ").any(|o| o == owner),
                    "{args:?}: {code} is driven by work of {owner}, not in {:?}",
                    row[5]
                );
            }
        }
        // Of the Required outcomes the council delivers.
        let delivered = outcomes
            .values()
            .filter(|o| is_required(o) && text(o, "status") != "not_applicable")
            .count();
        let sentence = format!("{} of the {delivered} Required outcomes", t.rows.len());
        assert!(md.contains(&sentence), "{args:?}: {sentence}");

        // No outcome on track or achieved holds up a proposed action either.
        let actions = table(&tables, RISK_9, Some("Proposed actions"), ACTION_COLUMNS);
        for row in &actions.rows {
            for code in row[1].split(", ") {
                let status = text(&outcomes[code], "status");
                assert!(
                    !["on_track", "achieved"].contains(&status),
                    "{args:?}: {} holds up {code}, which is {status}",
                    row[0]
                );
            }
        }
    }
}

/// Whether the work with this id is complete in the model.
fn complete(s: &Session, id: &str) -> bool {
    let node = s
        .graph
        .dag
        .node_indices()
        .find(|n| s.graph.dag[*n].id == id)
        .unwrap_or_else(|| panic!("no work {id} in the graph"));
    match s.graph.dag[node].item {
        Item::Task { action, task } => {
            s.model.actions[action].tasks[task].status == Status::Complete
        }
        Item::Project(p) => s.model.projects[p].status == Status::Complete,
        Item::Outcome(_) => panic!("{id} is an outcome, not work"),
    }
}

#[test]
fn proposed_actions_are_the_unfinished_drivers_of_required_outcomes_in_trouble() {
    let s = Session::open(&Source::Embedded, None, None).expect("the embedded routemap evaluates");
    for &args in AS_OF {
        let outcomes = forecast(args);
        let md = ok(&[args, &["risk-report"]].concat());
        let tables = md_tables(&md);
        let t = table(&tables, RISK_9, Some("Proposed actions"), ACTION_COLUMNS);
        assert!(!t.rows.is_empty(), "{args:?}: the seed has Required outcomes in trouble");
        assert!(md.contains(&format!("({} in all)", t.rows.len())), "{args:?}");

        // The outcomes each piece of work holds up, in trouble, by the drivers.
        let mut expected: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (code, o) in &outcomes {
            if is_required(o) && ["at_risk", "off_track"].contains(&text(o, "status")) {
                for id in driver_ids(o, &outcomes) {
                    if !complete(&s, id) {
                        expected.entry(id).or_default().push(code);
                    }
                }
            }
        }

        let mut listed = BTreeSet::new();
        let mut later_rounds = BTreeSet::new();
        for row in &t.rows {
            let id = action_id(&row[0]);
            assert!(listed.insert(id), "{args:?}: {id} proposed twice");
            assert!(!outcomes.contains_key(id), "{args:?}: the outcome {id} is proposed as work");
            assert!(!complete(&s, id), "{args:?}: {id} is complete but proposed");
            let holds_up: Vec<&str> = row[1].split(", ").collect();
            for code in &holds_up {
                let o = &outcomes[*code];
                assert!(is_required(o), "{args:?}: {id} holds up {code}, not Required");
                assert!(
                    ["at_risk", "off_track"].contains(&text(o, "status")),
                    "{args:?}: {id} holds up {code}, which is {}",
                    text(o, "status")
                );
                if !driver_ids(o, &outcomes).contains(&id) {
                    // Work that sets the date only once the rest of the list finishes in time:
                    // it lies upstream of the outcome and is itself late.
                    let (node, work) = (node(&s, code), node(&s, id));
                    assert!(
                        schedule::upstream(&s.graph, node).contains(&work),
                        "{args:?}: {id} is not upstream of {code}"
                    );
                    let date = |t: &str| {
                        NaiveDate::parse_from_str(t.trim_start_matches("not before "), "%d %B %Y")
                            .unwrap_or_else(|e| panic!("{args:?}: {id}: `{t}` is not a date: {e}"))
                    };
                    assert!(
                        date(&row[3]) > date(&row[2]),
                        "{args:?}: {id} is off the drivers of {code} and not late: {row:?}"
                    );
                    later_rounds.insert(id);
                }
            }
            if later_rounds.contains(id) {
                continue;
            }
            // Outcomes in model order: R1..R29 sorts as the forecast does.
            let mut sorted = holds_up.clone();
            sorted.sort_by_key(|c| c[1..].parse::<u32>().unwrap_or(0));
            assert_eq!(holds_up, sorted, "{args:?}: {id}");
            assert_eq!(
                Some(&holds_up.iter().map(|c| &**c).collect::<BTreeSet<&str>>()),
                expected.get(id).map(|v| v.iter().copied().collect::<BTreeSet<&str>>()).as_ref(),
                "{args:?}: what {id} holds up"
            );
        }
        // And every such piece of work is proposed.
        let missing: Vec<&&str> = expected.keys().filter(|id| !listed.contains(**id)).collect();
        assert!(missing.is_empty(), "{args:?}: not proposed: {missing:?}");
    }
}

// ---- --output ------------------------------------------------------------------------------------

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

#[test]
fn output_writes_what_stdout_would_and_nothing_else() {
    let dir = TempDir::new("risk-report-output");
    for format in ["md", "html"] {
        let stdout = ok(&["risk-report", "--format", format]);
        let file = dir.path(&format!("report.{format}"));
        assert_eq!(ok(&["risk-report", "--format", format, "--output", &file]), "");
        let first = read(&file);
        assert_eq!(first, stdout, "--output {format} differs from standard output");
        // Again, over the file now there: byte for byte the same.
        assert_eq!(ok(&["risk-report", "--format", format, "-o", &file]), "");
        assert_eq!(std::fs::read(&file).unwrap(), first.as_bytes());
    }
    assert_eq!(dir.entries(), ["report.html", "report.md"], "no temporary file is left");
}

/// A run killed while writing leaves its temporary file; a later run is not blocked by it, and
/// leaves it alone (it may be another run's, still writing).
#[test]
fn a_leftover_temporary_file_does_not_block_a_write() {
    let test = Test::new()
        .write("report.md", "the old report\n")
        .write(".report.md.partial", "half a rep")
        .write(".report.md.1-0.partial", "half a rep");
    let file = test.path("report.md");
    let out = test.args(["risk-report", "--output", &file]).stdout("").stderr("").run();
    assert_eq!(read(&file), ok(&["risk-report"]));
    assert_eq!(
        out.tempdir.entries(),
        [".report.md.1-0.partial", ".report.md.partial", "report.md"]
    );
}

/// The copy of the embedded model and its catalogue in `dir`, as `--model` takes it.
fn model_copy(dir: &TempDir) -> String {
    std::fs::create_dir(dir.path("charnwood")).expect("the file system works");
    let model = dir.path("charnwood/routemap.yaml");
    std::fs::copy("fixtures/charnwood/routemap.yaml", &model).expect("the file system works");
    std::fs::copy("fixtures/odpm-outcomes.yaml", dir.path("odpm-outcomes.yaml"))
        .expect("the file system works");
    model
}

/// `--output` never replaces a file the run reads, by whatever name: the model, its catalogue, a
/// scenario file (with `--format`, since a `.yaml` name alone is refused for its extension).
#[test]
fn output_never_replaces_an_input() {
    let dir = TempDir::new("risk-report-input");
    let model = model_copy(&dir);
    let before = read(&model);
    // Without --format, a .yaml name is refused for its extension before anything is read.
    let stderr = bad(&["--model", &model, "risk-report", "--output", &model]);
    assert!(stderr.contains("risk-report cannot write yaml files"), "{stderr}");
    let stderr = bad(&["--model", &model, "risk-report", "--format", "md", "--output", &model]);
    assert!(stderr.contains("which this run reads"), "{stderr}");
    let catalogue = dir.path("odpm-outcomes.yaml");
    let stderr = bad(&["--model", &model, "risk-report", "--format", "md", "--output", &catalogue]);
    assert!(stderr.contains("which this run reads"), "{stderr}");
    // The same file by another name.
    let other = dir.path("charnwood/../charnwood/./routemap.yaml");
    bad(&["--model", &model, "risk-report", "--format", "md", "--output", &other]);
    #[cfg(unix)]
    {
        std::fs::hard_link(&model, dir.path("hard.yaml")).expect("the file system works");
        let stderr = bad(&[
            "--model",
            &model,
            "risk-report",
            "--format",
            "md",
            "--output",
            &dir.path("hard.yaml"),
        ]);
        assert!(stderr.contains("which this run reads"), "{stderr}");
    }
    let scenario = dir.path("scenarios.yaml");
    std::fs::copy("fixtures/scenarios/programme-board.yaml", &scenario)
        .expect("the file system works");
    let stderr =
        bad(&["risk-report", "--scenario", &scenario, "--format", "md", "--output", &scenario]);
    assert!(stderr.contains("which this run reads"), "{stderr}");
    assert_eq!(read(&model), before);
    assert!(!dir.entries().iter().any(|e| e.contains("partial")), "{:?}", dir.entries());
}

/// A read-only file is not replaced by a rename (which the directory would allow).
#[cfg(unix)]
#[test]
fn output_refuses_a_read_only_file() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new().write("report.md", "the old report\n");
    let file = test.path("report.md");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444))
        .expect("the file system works");
    let out = test
        .args(["risk-report", "--output", &file])
        .status(2)
        .stdout("")
        .stderr_contains("it is read-only")
        .run();
    assert_eq!(read(&file), "the old report\n");
    assert_eq!(out.tempdir.entries(), ["report.md"]);
}

/// A named pipe that no process reads is refused at once rather than waited on.
#[cfg(unix)]
#[test]
fn output_to_a_pipe_with_no_reader_does_not_block() {
    let dir = TempDir::new("risk-report-fifo");
    let fifo = dir.path("report.md");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {fifo}");
    let stderr = bad(&["risk-report", "--output", &fifo]);
    assert!(stderr.contains("a named pipe that no process is reading"), "{stderr}");
    insta::assert_snapshot!("fifo_stderr", stderr.replace(&fifo, "[fifo]"));
    // Standard output is a pipe with a reader (the test): the report goes down it.
    #[cfg(target_os = "linux")]
    assert_eq!(ok(&["risk-report", "--output", "/dev/stdout"]), ok(&["risk-report"]));
}

/// `--output` through a symbolic link replaces the file it points to and keeps the link, and an
/// existing file keeps its permissions.
#[cfg(unix)]
#[test]
fn output_follows_links_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let test = Test::new().write("target.md", "the old report\n");
    let target = test.path("target.md");
    let link = test.path("link.md");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))
        .expect("the file system works");
    std::os::unix::fs::symlink("target.md", &link).expect("the file system works");
    let out = test.args(["risk-report", "--output", &link]).stdout("").stderr("").run();
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(read(&target), ok(&["risk-report"]));
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(out.tempdir.entries(), ["link.md", "target.md"]);
}

#[test]
fn a_failure_before_writing_leaves_the_old_file() {
    let test = Test::new().write("report.html", "<p>the old report</p>\n");
    let file = test.path("report.html");
    let out = test
        .args(["--rules", BAD_LEVEL, "risk-report", "--format", "html", "--output", &file])
        .status(2)
        .stdout("")
        .stderr_contains("Severe")
        .run();
    assert_eq!(read(&file), "<p>the old report</p>\n");
    assert_eq!(out.tempdir.entries(), ["report.html"]);
}

#[test]
fn output_into_a_missing_directory_fails_cleanly() {
    let test = Test::new();
    let file = test.path("missing/report.md");
    let run = test.args(["risk-report", "--output", &file]).status(2).stdout("").run();
    assert!(run.stderr.contains(&file), "the error names the file: {}", run.stderr);
    assert_eq!(run.tempdir.entries(), Vec::<String>::new(), "stray files");
}

// ---- --as-of -------------------------------------------------------------------------------------

#[test]
fn as_of_is_the_date_judged_on() {
    let md = ok(&["--as-of", "2005-10-01", "risk-report"]);
    assert!(md.contains(", judged on 1 October 2005.\n"), "{md}");
    assert!(md.contains("Required outcomes are not on track on 1 October 2005."), "{md}");
    assert!(!md.contains("judged on 13 April 2005"), "{md}");
    // The option may follow the command too.
    assert_eq!(ok(&["risk-report", "--as-of", "2005-10-01"]), md);
    assert!(ok(&["risk-report"]).contains(", judged on 13 April 2005.\n"));
}

/// A node of the embedded routemap by id.
fn node(s: &Session, id: &str) -> petgraph::graph::NodeIndex {
    s.graph.node(id).unwrap_or_else(|| panic!("no node {id}"))
}

// ---- Sections: BVPI 157, the simulation, the scenario file's name ------------------------------

const BVPI_HEADING: &str = "BVPI 157: e-enabled customer-facing processes";

/// The text of every `<w:t>` of a Word body, joined, so a sentence split over runs reads whole.
fn docx_text(body: &str) -> String {
    body.split("<w:t")
        .skip(1)
        .filter_map(|t| t.split_once('>').and_then(|(_, rest)| rest.split_once("</w:t>")))
        .map(|(text, _)| text)
        .collect::<Vec<_>>()
        .join("")
}

#[test]
fn bvpi_157_is_a_section_whenever_the_model_has_a_table() {
    // The small model has a BVPI 157 table and no risk register, so no risk's text names BVPI.
    let small = ["--model", "fixtures/bvpi/small.yaml", "risk-report"];
    let md = ok(&small);
    let section = md
        .split_once(&format!("\n## {BVPI_HEADING}\n\n"))
        .unwrap_or_else(|| panic!("no BVPI 157 section:\n{md}"))
        .1;
    assert!(section.starts_with("80% of customer-facing processes are forecast to be e-enabled on 31 December 2005, against the target of 100%"), "{section}");
    let html = ok(&[&small[..], &["--format", "html"]].concat());
    assert!(
        html.contains(&format!("<h2>{BVPI_HEADING}</h2>\n<p>80% of customer-facing")),
        "{html}"
    );
    let docx = docx_text(&docx_body(&small));
    assert!(docx.contains(&format!("{BVPI_HEADING}80% of customer-facing")), "{docx}");
    // No table, no section.
    let none = ok(&["--model", "fixtures/bvpi/no-table.yaml", "risk-report"]);
    assert!(!none.contains("BVPI"), "{none}");
    // The embedded model: one section, and nothing under a risk any more.
    let embedded = ok(&["risk-report"]);
    assert_eq!(embedded.matches(&format!("## {BVPI_HEADING}")).count(), 1, "{embedded}");
    assert!(!embedded.contains("**BVPI 157 forecast:**"), "{embedded}");
}

#[test]
fn the_simulation_comes_before_the_closing_line() {
    let args = ["risk-report", "--simulate", "200"];
    let md = ok(&args);
    let (body, closing) = md.rsplit_once("\n\n").expect("paragraphs");
    assert!(closing.starts_with("Generated by routemap: model "), "{closing}");
    assert!(body.contains("\n## Simulation\n"), "{md}");
    let html = ok(&[&args[..], &["--format", "html"]].concat());
    let simulation = html.find("<h2>Simulation</h2>").expect("a Simulation section");
    let generated = html.find("<p>Generated by routemap").expect("a closing line");
    assert!(simulation < generated, "{html}");
    assert!(
        html[generated..]
            .find("</p>")
            .is_some_and(|end| html[generated + end..].starts_with("</p>\n</body>")),
        "nothing after the closing line"
    );
    let docx = docx_text(&docx_body(&args));
    let (before, after) = docx.split_once("Generated by routemap").expect("a closing line");
    assert!(before.contains("SimulationOver 200 runs"), "{docx}");
    assert!(!after.contains("Simulation"), "{after}");
}

#[test]
fn a_scenario_file_is_named_as_given_or_by_its_file_name() {
    let absolute = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(PROGRAMME_BOARD);
    let absolute = absolute.to_str().expect("a UTF-8 path");
    let args = ["risk-report", "--scenario", absolute];
    let named = "as each scenario of programme-board.yaml supposes";
    let root = env!("CARGO_MANIFEST_DIR");
    let md = ok(&args);
    assert!(md.contains(named) && !md.contains(root), "{md}");
    let html = ok(&[&args[..], &["--format", "html"]].concat());
    assert!(html.contains(named) && !html.contains(root), "{html}");
    let docx = docx_body(&args);
    assert!(docx.contains(named) && !docx.contains(root), "{docx}");
    // A relative path is the user's own words, and stays.
    let relative = ok(&["risk-report", "--scenario", PROGRAMME_BOARD]);
    assert!(relative.contains(&format!("of {PROGRAMME_BOARD} supposes")), "{relative}");
}
