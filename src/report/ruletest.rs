//! `routemap test`: each case's result, the failures with the rule behind each, and coverage,
//! as text (like cargo's) or JSON.

use super::output::{Format, Rendered};
use super::render::{self, Render, Terminal, not_written};
use crate::error::Error;
use serde::Serialize;

use super::RulesInfo;
use crate::error::Location;
use crate::ruletest::{FileCoverage, Results, percent};

/// The JSON contract of `routemap test --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct TestsOut {
    /// Every case run, in file order.
    pub cases: Vec<CaseOut>,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// With `--coverage`: the lines of each rule file the cases ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<CoverageOut>,
    /// Which rules were tested.
    pub rules: RulesInfo,
}

/// One case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseOut {
    /// Its name.
    pub name: String,
    /// Its test file.
    pub file: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// The expectations that did not.
    pub failures: Vec<FailureOut>,
}

/// One expectation that did not hold.
#[derive(Debug, Clone, Serialize)]
pub struct FailureOut {
    /// What was expected of what (`R8 status`).
    pub expectation: String,
    /// The expected value.
    pub expected: String,
    /// The value the rules gave.
    pub actual: String,
    /// The rule that produced it, where it can be told.
    pub rule: Option<RuleAt>,
}

/// A place in a rule file.
#[derive(Debug, Clone, Serialize)]
pub struct RuleAt {
    /// The rule file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Coverage of every rule file.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageOut {
    /// Of every rule file together, to one decimal place.
    pub percent: f64,
    /// The `--threshold` asked for, if any.
    pub threshold: Option<f64>,
    /// Per rule file.
    pub files: Vec<FileCoverageOut>,
}

/// Coverage of one rule file.
#[derive(Debug, Clone, Serialize)]
pub struct FileCoverageOut {
    /// The rule file.
    pub file: String,
    /// Coverable lines.
    pub lines: usize,
    /// Of which run.
    pub covered: usize,
    /// To one decimal place.
    pub percent: f64,
    /// The coverable lines never reached.
    pub missed: Vec<usize>,
}

fn one_decimal(p: f64) -> f64 {
    (p * 10.0).round() / 10.0
}

impl TestsOut {
    /// The results, for JSON.
    pub fn new(r: &Results, threshold: Option<f64>) -> Self {
        let cases = r
            .cases
            .iter()
            .map(|c| CaseOut {
                name: c.name.clone(),
                file: c.file.clone(),
                passed: c.failures.is_empty(),
                failures: c
                    .failures
                    .iter()
                    .map(|f| FailureOut {
                        expectation: f.expectation.clone(),
                        expected: f.expected.clone(),
                        actual: f.actual.clone(),
                        rule: f.rule.as_ref().map(|l| RuleAt {
                            file: l.file.clone(),
                            line: l.line,
                            column: l.column,
                        }),
                    })
                    .collect(),
            })
            .collect();
        let coverage = r.coverage.as_ref().map(|files| CoverageOut {
            percent: one_decimal(r.total_percent().unwrap_or(100.0)),
            threshold,
            files: files
                .iter()
                .map(|f| FileCoverageOut {
                    file: f.file.clone(),
                    lines: f.lines.len(),
                    covered: f.run.len(),
                    percent: one_decimal(percent(f.run.len(), f.lines.len())),
                    missed: f.missed(),
                })
                .collect(),
        });
        TestsOut {
            cases,
            passed: r.passed(),
            failed: r.failed(),
            coverage,
            rules: RulesInfo::of(&r.rules),
        }
    }
}

/// Lines as ranges: `12, 15-17`.
fn ranges(lines: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i];
        let mut end = start;
        while i + 1 < lines.len() && lines[i + 1] == end + 1 {
            i += 1;
            end = lines[i];
        }
        out.push(if start == end { start.to_string() } else { format!("{start}-{end}") });
        i += 1;
    }
    out.join(", ")
}

fn rule_lines(l: &Location) -> String {
    let number = l.line.to_string();
    let pad = " ".repeat(number.len());
    // A long line is quoted in a window around the column (see `Location::new`): its cuts are
    // shown, each one character the caret's indent counts.
    let (before, after) =
        (if l.cut_before > 0 { "…" } else { "" }, if l.cut_after { "…" } else { "" });
    let indent: String = before
        .chars()
        .map(|_| ' ')
        .chain(
            l.source_line
                .chars()
                .take(l.column.saturating_sub(1).saturating_sub(l.cut_before))
                .map(|c| if c == '\t' { '\t' } else { ' ' }),
        )
        .collect();
    format!(
        "    {pad}--> {}:{}:{}\n    {number} | {before}{}{after}\n    {pad} | {indent}^\n",
        l.file,
        l.line,
        l.column,
        l.source_line.trim_end()
    )
}

/// The results as text: one line per case, the failures, coverage, and the counts last.
pub fn table(r: &Results, threshold: Option<f64>) -> String {
    let files = {
        let mut f: Vec<&str> = r.cases.iter().map(|c| c.file.as_str()).collect();
        f.dedup();
        f.len()
    };
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut out = format!(
        "running {} from {}, rules {}\n",
        plural(r.cases.len(), "case", "cases"),
        plural(files, "file", "files"),
        r.rules.hash
    );
    for c in &r.cases {
        let verdict = if c.failures.is_empty() { "ok" } else { "FAILED" };
        out.push_str(&format!("test {}: {} ... {verdict}\n", c.file, c.name));
    }
    let failed: Vec<_> = r.cases.iter().filter(|c| !c.failures.is_empty()).collect();
    if !failed.is_empty() {
        out.push_str("\nfailures:\n");
        for c in failed {
            out.push_str(&format!("\n---- {}: {} ----\n", c.file, c.name));
            for f in &c.failures {
                out.push_str(&format!(
                    "  {}: expected `{}`, got `{}`\n",
                    f.expectation, f.expected, f.actual
                ));
                if let Some(l) = &f.rule {
                    out.push_str(&rule_lines(l));
                }
            }
        }
    }
    if let Some(files) = &r.coverage {
        out.push_str("\ncoverage (lines of each rule file the cases ran):\n");
        let width = files.iter().map(|f| f.file.chars().count()).max().unwrap_or(0).max(5);
        for f in files {
            out.push_str(&coverage_line(&f.file, width, f));
        }
        let total = r.total_percent().unwrap_or(100.0);
        let run: usize = files.iter().map(|f| f.run.len()).sum();
        let lines: usize = files.iter().map(|f| f.lines.len()).sum();
        out.push_str(&format!("  {:<width$}  {total:>5.1}%  ({run} of {lines} lines)\n", "total"));
        if let Some(t) = threshold
            && total < t
        {
            out.push_str(&format!("\ncoverage {total:.1}% is under the threshold of {t}%\n"));
        }
    }
    out.push_str(&format!("\n{} passed, {} failed\n", r.passed(), r.failed()));
    out
}

fn coverage_line(name: &str, width: usize, f: &FileCoverage) -> String {
    let missed = f.missed();
    let mut line = format!(
        "  {name:<width$}  {:>5.1}%  ({} of {} lines)",
        percent(f.run.len(), f.lines.len()),
        f.run.len(),
        f.lines.len()
    );
    if !missed.is_empty() {
        line.push_str(&format!("  never reached: {}", ranges(&missed)));
    }
    line.push('\n');
    line
}

/// `test`: the results of the rules' tests.
pub struct TestReport<'a> {
    /// The results.
    pub results: &'a Results,
    /// The coverage threshold, if one was set.
    pub threshold: Option<f64>,
}

impl Render for TestReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Table, Format::Json];

    fn render(&self, format: Format, _: &Terminal) -> Result<Rendered, Error> {
        render::text(match format {
            Format::Table => table(self.results, self.threshold),
            Format::Json => super::json::to_string(&TestsOut::new(self.results, self.threshold)),
            Format::Csv
            | Format::Md
            | Format::Html
            | Format::Svg
            | Format::Dot
            | Format::Mermaid
            | Format::Docx => return Err(not_written(format)),
        })
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_rule_line_keeps_its_caret_under_the_column() {
        let line = format!("{}fail_here(){}", "x".repeat(300), "y".repeat(300));
        let l = Location::new("rules/x.rhai", 7, 301, &line, 1);
        let shown = rule_lines(&l);
        let lines: Vec<&str> = shown.lines().collect();
        let quoted = lines[1].split(" | ").nth(1).expect("the quoted line");
        let caret = lines[2].split(" | ").nth(1).expect("the caret line");
        let at = caret.chars().position(|c| c == '^').expect("a caret");
        assert_eq!(quoted.chars().nth(at), Some('f'), "{shown}");
        assert!(quoted.starts_with('…') && quoted.ends_with('…'), "{shown}");
    }

    #[test]
    fn lines_become_ranges() {
        assert_eq!(ranges(&[3, 5, 6, 7, 10]), "3, 5-7, 10");
        assert_eq!(ranges(&[]), "");
    }
}
