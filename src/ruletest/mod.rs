//! `routemap test`: a council's tests of its own rules. Each case runs a small model through the
//! same assessment, scenario, funding and risk code every command uses (or calls one hook
//! directly) and compares what a user would see with what the case expects; with coverage, the
//! rule lines the cases ran.

pub mod file;
pub mod hook;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::assess::{self, Assessment, Standing};
use crate::error::{Diagnostic, Error, Location, io_reason, suggest};
use crate::graph::{Graph, NodeKind};
use crate::model::{self, Document, Level, Located, Model, Source, parse_yaml};
use crate::risk::{self, ActionPlan, Score};
use crate::rules::Rules;
use crate::scenario::{self, Scenario, Slip};
use crate::schedule::Own;
use file::{Case, Expect, TestFile};

/// The tests of the embedded rules, by file name, embedded beside them.
pub const EMBEDDED: &[(&str, &str)] = &[
    ("classify.yaml", include_str!("../../rules/tests/classify.yaml")),
    ("deadlines.yaml", include_str!("../../rules/tests/deadlines.yaml")),
    ("forecast.yaml", include_str!("../../rules/tests/forecast.yaml")),
    ("funding.yaml", include_str!("../../rules/tests/funding.yaml")),
    ("risk.yaml", include_str!("../../rules/tests/risk.yaml")),
    ("bvpi.yaml", include_str!("../../rules/tests/bvpi.yaml")),
    ("ieg.yaml", include_str!("../../rules/tests/ieg.yaml")),
    ("simulate.yaml", include_str!("../../rules/tests/simulate.yaml")),
];

/// The date a case is judged on when it gives none: the issue date of the Charnwood routemap.
fn default_as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2005, 4, 13).unwrap_or_default()
}

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What was expected of what: `R8 status`, `returns.status`.
    pub expectation: String,
    /// The expected value.
    pub expected: String,
    /// The value the rules gave.
    pub actual: String,
    /// The rule that produced the actual value, where it can be told.
    pub rule: Option<Location>,
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its test file.
    pub file: String,
    /// Every expectation that did not hold (none: it passed).
    pub failures: Vec<Failure>,
}

/// Which lines of one rule file the cases ran.
#[derive(Debug, Clone)]
pub struct FileCoverage {
    /// The rule file.
    pub file: String,
    /// Its coverable lines.
    pub lines: BTreeSet<usize>,
    /// Those of them that ran.
    pub run: BTreeSet<usize>,
}

impl FileCoverage {
    /// The coverable lines that never ran.
    pub fn missed(&self) -> Vec<usize> {
        self.lines.difference(&self.run).copied().collect()
    }
}

/// A percentage of lines, 100 when there are none to cover.
pub fn percent(run: usize, lines: usize) -> f64 {
    if lines == 0 { 100.0 } else { run as f64 * 100.0 / lines as f64 }
}

/// Everything a test run found.
pub struct Results {
    /// The rules tested.
    pub rules: Rules,
    /// Every case run, in file order.
    pub cases: Vec<CaseResult>,
    /// Per rule file, when coverage was asked for.
    pub coverage: Option<Vec<FileCoverage>>,
    /// The model files the cases name (`model_file`), as read: an output must never replace
    /// one of them.
    pub model_files: Vec<PathBuf>,
}

impl Results {
    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.failures.is_empty()).count()
    }

    /// Cases that failed.
    pub fn failed(&self) -> usize {
        self.cases.len() - self.passed()
    }

    /// The coverage of every rule file together.
    pub fn total_percent(&self) -> Option<f64> {
        let files = self.coverage.as_ref()?;
        let run = files.iter().map(|f| f.run.len()).sum();
        let lines = files.iter().map(|f| f.lines.len()).sum();
        Some(percent(run, lines))
    }
}

/// A test file read, before its cases run.
struct Loaded {
    name: String,
    dir: Option<PathBuf>,
    file: Located,
    text: String,
    parsed: TestFile,
}

/// The test files of `DIR/tests/` (or the embedded ones), parsed, with the errors of those that
/// do not parse (so that every file's errors are reported at once).
fn read(rules_dir: Option<&Path>) -> Result<(Vec<Loaded>, Vec<Diagnostic>), Error> {
    let mut sources: Vec<(String, Option<PathBuf>, String)> = Vec::new();
    match rules_dir {
        None => {
            for (name, text) in EMBEDDED {
                sources.push((format!("<embedded>/rules/tests/{name}"), None, text.to_string()));
            }
        }
        Some(dir) => {
            let tests = dir.join("tests");
            let entries = std::fs::read_dir(&tests).map_err(|e| {
                Error::from(
                    Diagnostic::new(format!(
                        "cannot read the rule tests in {}: {}",
                        tests.display(),
                        io_reason(&e)
                    ))
                    .help("a rules directory keeps its tests in tests/*.yaml (see docs/rules.md, \"Testing your rules\")"),
                )
            })?;
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| is_test_file(p))
                .collect();
            paths.sort();
            if paths.is_empty() {
                return Err(Diagnostic::new(format!("{} holds no test files", tests.display()))
                    .help("write test cases in tests/*.yaml (see docs/rules.md, \"Testing your rules\")")
                    .into());
            }
            // Every entry named as a test file is read or reported: a link to nothing, a
            // directory or a named pipe is an error (never waited on), not silently skipped.
            let mut unreadable = Vec::new();
            for p in paths {
                match read_test_file(&p) {
                    Ok(text) => sources.push((p.display().to_string(), Some(tests.clone()), text)),
                    Err(d) => unreadable.push(d),
                }
            }
            if !unreadable.is_empty() {
                return Err(unreadable.into());
            }
        }
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (name, dir, text) in sources {
        let file = Located::new(&name, &text);
        match parse_yaml::<TestFile>(&file, &text, "docs/rules.md") {
            Ok(parsed) => out.push(Loaded { name, dir, file, text, parsed }),
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    Ok((out, errors))
}

/// Whether `path` is named as a test file: `.yaml` or `.yml`, in any case (`RISK.YAML`).
fn is_test_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| {
        let x = x.to_string_lossy();
        x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml")
    })
}

/// The text of a test file: a regular file (see [`crate::input::read_text`]), bounded, UTF-8.
fn read_test_file(path: &Path) -> Result<String, Diagnostic> {
    let dangling = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::metadata(path).is_err();
    if dangling {
        return Err(Diagnostic::new(format!(
            "cannot read {}: it is a symbolic link to nothing",
            path.display()
        ))
        .help("remove the link, or point it at a test file"));
    }
    crate::input::read_text(path).map_err(|d| {
        if d.help.is_some() || d.location.is_some() {
            d
        } else {
            d.help("every entry of tests/ named *.yaml or *.yml is read as a test file; rename or remove it")
        }
    })
}

/// Check what no type can: which kind of case it is, and that it expects something it can.
fn shape(l: &Loaded, here: &str, case: &Case) -> Vec<Diagnostic> {
    let at = |p: &str| l.file.at(&format!("{here}.{p}"));
    let mut errors = Vec::new();
    let e = &case.expect;
    let model_expects = !e.outcomes.is_empty()
        || e.exposure.is_some()
        || !e.risks.is_empty()
        || !e.proposed.is_empty()
        || !e.not_proposed.is_empty();
    let hook_expects = e.returns.is_some() || !e.contains.is_empty();
    match (&case.hook, &case.model, &case.model_file) {
        (Some(_), None, None) => {
            if model_expects || !case.slips.is_empty() {
                errors.push(
                    Diagnostic::new(format!("case `{}` calls a hook but expects what a model shows", case.name))
                        .at(at("expect"))
                        .help("a hook case expects `returns` and `contains`; outcomes, exposure, risks and proposed actions need a `model`"),
                );
            } else if !hook_expects {
                errors.push(
                    Diagnostic::new(format!("case `{}` expects nothing", case.name))
                        .at(at("expect"))
                        .help("a hook case expects `returns` (its answer) or `contains` (phrases in its text fields)"),
                );
            }
        }
        (None, Some(_), None) | (None, None, Some(_)) => {
            if case.with.is_some() {
                errors.push(
                    Diagnostic::new("`with` gives a hook's inputs, but the case calls no hook")
                        .at(at("with"))
                        .help("add `hook: NAME`, or take `with` out"),
                );
            }
            if hook_expects {
                errors.push(
                    Diagnostic::new(format!("case `{}` runs a model but expects a hook's answer", case.name))
                        .at(at("expect"))
                        .help("a model case expects `outcomes`, `exposure`, `risks`, `proposed` and `not_proposed`"),
                );
            } else if !model_expects {
                errors.push(
                    Diagnostic::new(format!("case `{}` expects nothing", case.name))
                        .at(at("expect"))
                        .help("list what it should show under `outcomes`, `exposure`, `risks`, `proposed` or `not_proposed`"),
                );
            }
        }
        (None, None, None) => errors.push(
            Diagnostic::new(format!("case `{}` has no `model`, `model_file` or `hook`", case.name))
                .at(l.file.at(here))
                .help("a case runs a model (inline or from a file) or calls one hook"),
        ),
        _ => errors.push(
            Diagnostic::new(format!(
                "case `{}` gives more than one of `model`, `model_file` and `hook`",
                case.name
            ))
            .at(l.file.at(here))
            .help("a case runs one model or calls one hook"),
        ),
    }
    errors
}

/// Run every case whose name contains `filter` against the rules of `rules_dir` (default: the
/// embedded rules and tests). A bad test file or a rule that fails is an error; expectations
/// that do not hold are failures in the results.
pub fn run(
    rules_dir: Option<&Path>,
    filter: Option<&str>,
    coverage: bool,
) -> Result<Results, Error> {
    let (loaded, mut errors) = read(rules_dir)?;
    // The tracing engine locates failures; it is slower, which only this command pays.
    let rules = Rules::load_traced(rules_dir)?;
    let mut cases = Vec::new();
    let mut model_files = Vec::new();
    for l in loaded {
        if let Some(dir) = &l.dir {
            let named = l.parsed.cases.iter().filter_map(|c| c.model_file.as_ref());
            model_files.extend(named.map(|f| dir.join(f)));
        }
        let mut names = HashSet::new();
        if l.parsed.cases.is_empty() {
            errors.push(
                Diagnostic::new(format!("{} has no cases", l.name))
                    .at(l.file.at("cases"))
                    .help("list at least one case under `cases:` (see docs/rules.md)"),
            );
        }
        for (i, case) in l.parsed.cases.iter().enumerate() {
            let here = format!("cases[{i}]");
            if !names.insert(case.name.clone()) {
                errors.push(
                    Diagnostic::new(format!("case `{}` is named twice in {}", case.name, l.name))
                        .at(l.file.at(&format!("{here}.name")))
                        .help("give each case its own name"),
                );
            }
            let wrong = shape(&l, &here, case);
            if !wrong.is_empty() {
                errors.extend(wrong);
                continue;
            }
            if filter.is_some_and(|f| !case.name.contains(f)) {
                continue;
            }
            let result = match &case.hook {
                Some(h) => run_hook(&rules, &l, &here, case, h),
                None => run_model(&rules, &l, &here, case),
            };
            match result {
                Ok(failures) => cases.push(CaseResult {
                    name: case.name.clone(),
                    file: l.name.clone(),
                    failures,
                }),
                Err(e) => errors.extend(e.diagnostics),
            }
        }
    }
    if !errors.is_empty() {
        // In file order, whether a file failed to parse or one of its cases is wrong.
        errors.sort_by_key(|d| d.location.as_ref().map(|l| l.file.clone()));
        return Err(errors.into());
    }
    let coverage = coverage.then(|| rules.coverage()).transpose()?.map(|files| {
        files
            .into_iter()
            .map(|(f, lines, run)| FileCoverage { file: f.path.clone(), lines, run })
            .collect()
    });
    Ok(Results { rules, cases, coverage, model_files })
}

/// A rule's failure while a case runs: which case it was.
fn in_case(l: &Loaded, case: &Case) -> impl Fn(Error) -> Error {
    let note = format!("in case `{}` of {}: ", case.name, l.name);
    move |e: Error| Error {
        diagnostics: e.diagnostics.into_iter().map(|d| d.prefixed(&note)).collect(),
    }
}

fn run_hook(
    rules: &Rules,
    l: &Loaded,
    here: &str,
    case: &Case,
    name: &str,
) -> Result<Vec<Failure>, Error> {
    let as_of = case.as_of.unwrap_or_else(default_as_of);
    let call = hook::call(&l.file, here, name, case.with.as_ref(), as_of).map_err(Error::from)?;
    // As every command does: text with control characters is refused, never shown.
    let (answer, rule) = rules.call_direct(call.file, call.hook, call.args);
    let answer = answer.map_err(in_case(l, case))?;
    let mut failures = Vec::new();
    let mut fail = |expectation: String, expected: String, actual: String| {
        failures.push(Failure { expectation, expected, actual, rule: rule.clone() });
    };
    match &case.expect.returns {
        Some(serde_yaml::Value::Mapping(fields)) => {
            for (key, expected) in fields {
                let key = hook::show_expected(key);
                match answer.field(&key) {
                    Some(got) if got.matches(expected) => {}
                    Some(got) => fail(
                        format!("returns.{key}"),
                        hook::show_expected(expected),
                        got.to_string(),
                    ),
                    // A field the answer leaves out is `()`, as the rules read it.
                    None if expected.is_null() && answer.is_map() => {}
                    None => fail(
                        format!("returns.{key}"),
                        hook::show_expected(expected),
                        format!("no `{key}` in {answer}"),
                    ),
                }
            }
        }
        Some(expected) if !answer.matches(expected) => {
            fail("returns".into(), hook::show_expected(expected), answer.to_string());
        }
        _ => {}
    }
    for (key, phrase) in &case.expect.contains {
        let got = answer.field(key).map(|v| v.to_string());
        if !got.as_deref().is_some_and(|t| t.contains(phrase.as_str())) {
            fail(
                format!("contains.{key}"),
                format!("text containing \"{phrase}\""),
                got.unwrap_or_else(|| format!("no `{key}` in {answer}")),
            );
        }
    }
    Ok(failures)
}

/// The model a case runs: inline (with the embedded catalogue) or from a file.
fn case_model(l: &Loaded, here: &str, case: &Case) -> Result<Model, Error> {
    if let Some(path) = &case.model_file {
        let Some(dir) = &l.dir else {
            return Err(Diagnostic::new("an embedded test cannot read a model file")
                .at(l.file.at(&format!("{here}.model_file")))
                .help("write the model inline under `model:`")
                .into());
        };
        // A model file that cannot be read is the test file's mistake: point at its name there.
        // Errors inside a model file that was read keep their own place in it.
        let key = l.file.at(&format!("{here}.model_file"));
        return model::load(&Source::Path(dir.join(path))).map_err(|e| Error {
            diagnostics: e
                .diagnostics
                .into_iter()
                .map(|d| match d.location {
                    Some(_) => d,
                    None => {
                        let d = d.at(key.clone());
                        if d.help.is_some() {
                            d
                        } else {
                            d.help("`model_file` is a model file's path, relative to the test file")
                        }
                    }
                })
                .collect(),
        });
    }
    let Some(m) = &case.model else {
        return Err(Error::msg("a model case has no model"));
    };
    let document = m.document.clone().unwrap_or_else(|| Document {
        council: "Example council".into(),
        title: "E-Government Strategy and Routemap".into(),
        version: "test".into(),
        issue_date: case.as_of.unwrap_or_else(default_as_of),
        target_cabinet: None,
        tier: None,
    });
    let model = Model {
        document,
        catalogue: None,
        status_words: m.status_words.clone(),
        projects: m.projects.clone(),
        actions: m.actions.clone(),
        funding: m.funding.clone(),
        risks: m.risks.clone(),
        cmt_risks: m.cmt_risks.clone(),
        bvpi157: m.bvpi157.clone(),
        not_applicable: m.not_applicable.clone(),
        outcomes: Vec::new(),
        origin: model::Origin::default(),
    };
    let file = Located::within(&l.name, &l.text, &format!("{here}.model."));
    model::inline(model, file, &l.text)
}

/// What a model case computes lazily: risk scores and proposed actions only when expected.
struct Run<'a> {
    rules: &'a Rules,
    model: Model,
    graph: Graph,
    assessment: Assessment,
}

impl Run<'_> {
    /// Where the rule that dated an outcome's driving chain answered: `own_finish` (or
    /// `done_on`) of the work at its root.
    fn forecast_rule(&self, r: &assess::OutcomeResult) -> Option<Location> {
        let a = &self.assessment;
        let root = r.drivers.iter().find(|n| self.graph.dag[**n].kind != NodeKind::Outcome)?;
        let view = crate::rules::api::WorkView::judged(
            &self.model,
            &self.graph,
            &a.basis.deadline,
            *root,
            a.basis.as_of,
        );
        let hook = if matches!(a.basis.own[root.index()], Own::Done(_)) {
            "done_on"
        } else {
            "own_finish"
        };
        self.rules.call_located("forecast", hook, (view,)).1
    }
}

fn run_model(rules: &Rules, l: &Loaded, here: &str, case: &Case) -> Result<Vec<Failure>, Error> {
    let at = |p: &str| l.file.at(&format!("{here}.{p}"));
    let rule_failed = in_case(l, case);
    let model = case_model(l, here, case)?;
    let graph = Graph::build(&model)?;
    let as_of = case.as_of.unwrap_or(model.document.issue_date);
    let baseline = assess::evaluate(&model, &graph, rules, as_of).map_err(&rule_failed)?;
    let assessment = if case.slips.is_empty() {
        baseline
    } else {
        let mut slips = Vec::new();
        let mut errors = Vec::new();
        for (j, text) in case.slips.iter().enumerate() {
            let location = at(&format!("slips[{j}]"));
            match Slip::parse(text).and_then(|s| scenario::targets(&model, &graph, &s).map(|_| s)) {
                Ok(mut s) => {
                    s.location = location;
                    slips.push(s);
                }
                Err(d) => errors.push(d.at(location)),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let sc = Scenario { name: case.name.clone(), description: None, as_of: None, slips };
        scenario::run(&model, &graph, rules, &baseline, &sc)?
    };
    let run = Run { rules, model, graph, assessment };
    let mut failures = Vec::new();
    let mut errors = Vec::new();
    expect_outcomes(&run, &case.expect, &at, &mut failures, &mut errors);
    expect_exposure(&run, &case.expect, &at, &mut failures, &mut errors);
    expect_risks(&run, &case.expect, &at, &mut failures, &mut errors).map_err(&rule_failed)?;
    expect_proposed(&run, &case.expect, &at, &mut failures, &mut errors).map_err(&rule_failed)?;
    if errors.is_empty() { Ok(failures) } else { Err(errors.into()) }
}

type At<'a> = &'a dyn Fn(&str) -> Option<Location>;

fn expect_outcomes(
    run: &Run,
    expect: &Expect,
    at: At,
    failures: &mut Vec<Failure>,
    errors: &mut Vec<Diagnostic>,
) {
    let (graph, a) = (&run.graph, &run.assessment);
    for (code, e) in &expect.outcomes {
        let path = format!("expect.outcomes.{code}");
        let Some(r) = a.outcomes.iter().find(|r| graph.dag[r.node].id == *code) else {
            let codes = run.model.outcomes.iter().map(|o| o.code.as_str());
            errors.push(
                Diagnostic::new(format!("no outcome `{code}`")).at(at(&path)).help(format!(
                    "outcome codes are R1..R29 and G1..G25; {}",
                    suggest(code, codes)
                )),
            );
            continue;
        };
        let classify = || {
            run.rules
                .call_located(
                    "classify",
                    "classify",
                    (r.facts.view(&run.model.outcomes[r.outcome]),),
                )
                .1
        };
        if let Some(status) = &e.status {
            if Standing::parse(status).is_none() {
                let all: Vec<&str> = Standing::ALL.iter().map(|s| s.as_str()).collect();
                errors.push(
                    Diagnostic::new(format!("`{status}` is not a status"))
                        .at(at(&format!("{path}.status")))
                        .help(format!("write one of {}", all.join(", "))),
                );
            } else if r.standing.as_str() != status {
                failures.push(Failure {
                    expectation: format!("{code} status"),
                    expected: status.clone(),
                    actual: format!("{} ({})", r.standing.as_str(), r.reason),
                    rule: classify(),
                });
            }
        }
        if let Some(phrase) = &e.reason
            && !r.reason.contains(phrase.as_str())
        {
            failures.push(Failure {
                expectation: format!("{code} reason"),
                expected: format!("a reason containing \"{phrase}\""),
                actual: r.reason.clone(),
                rule: classify(),
            });
        }
        if let Some(forecast) = &e.forecast {
            let wanted = match forecast.trim() {
                "unknown" => Some(None),
                t => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().map(Some),
            };
            match wanted {
                None => errors.push(
                    Diagnostic::new(format!("`{forecast}` is not a forecast"))
                        .at(at(&format!("{path}.forecast")))
                        .help("write a date YYYY-MM-DD, or `unknown`"),
                ),
                Some(w) if w != r.forecast => failures.push(Failure {
                    expectation: format!("{code} forecast"),
                    expected: forecast.trim().to_string(),
                    actual: r.forecast.map_or("unknown".into(), |d| d.to_string()),
                    rule: run.forecast_rule(r),
                }),
                Some(_) => {}
            }
        }
        if let Some(slack) = e.slack_days
            && r.slack_days != Some(slack)
        {
            failures.push(Failure {
                expectation: format!("{code} slack_days"),
                expected: slack.to_string(),
                actual: r.slack_days.map_or("() (no forecast)".into(), |d| d.to_string()),
                rule: run.forecast_rule(r),
            });
        }
    }
}

fn expect_exposure(
    run: &Run,
    expect: &Expect,
    at: At,
    failures: &mut Vec<Failure>,
    errors: &mut Vec<Diagnostic>,
) {
    let Some(e) = &expect.exposure else { return };
    let exposure = &run.assessment.exposure;
    let rule = || run.rules.hook_location("funding", "share");
    if let Some(gbp) = e.at_risk_gbp
        && exposure.at_risk_gbp != gbp
    {
        failures.push(Failure {
            expectation: "exposure at_risk_gbp".into(),
            expected: gbp.to_string(),
            actual: exposure.at_risk_gbp.to_string(),
            rule: rule(),
        });
    }
    for (id, gbp) in &e.streams {
        let Some(i) = run.model.funding.iter().position(|s| s.id == *id) else {
            let ids = run.model.funding.iter().map(|s| s.id.as_str());
            errors.push(
                Diagnostic::new(format!("no funding stream `{id}` in the model"))
                    .at(at(&format!("expect.exposure.streams.{id}")))
                    .help(suggest(id, ids)),
            );
            continue;
        };
        let got = exposure.streams[i].at_risk_gbp;
        if got != *gbp {
            failures.push(Failure {
                expectation: format!("exposure of {id}"),
                expected: gbp.to_string(),
                actual: got.to_string(),
                rule: rule(),
            });
        }
    }
}

fn expect_risks(
    run: &Run,
    expect: &Expect,
    at: At,
    failures: &mut Vec<Failure>,
    errors: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    if expect.risks.is_empty() {
        return Ok(());
    }
    let (m, g, a) = (&run.model, &run.graph, &run.assessment);
    let scores = risk::score(m, g, run.rules, a, None)?;
    for (reference, e) in &expect.risks {
        let path = format!("expect.risks.{reference}");
        let Some(i) = m.risks.iter().position(|r| r.reference == *reference) else {
            let refs = m.risks.iter().map(|r| r.reference.as_str());
            errors.push(
                Diagnostic::new(format!("no risk `{reference}` in the model's register"))
                    .at(at(&path))
                    .help(suggest(reference, refs)),
            );
            continue;
        };
        let rule = || {
            let args = (risk::risk_view(&m.risks[i]), risk::evidence(m, g, a, None));
            run.rules.call_located("risk", "assess", args).1
        };
        let (likelihood, impact) = match &scores[i] {
            Score::Assessed { likelihood, impact, .. } => (Some(*likelihood), Some(*impact)),
            Score::NotAssessed { .. } => (None, None),
        };
        if let Some(wanted) = e.assessed
            && wanted != likelihood.is_some()
        {
            failures.push(Failure {
                expectation: format!("risk {reference} assessed"),
                expected: wanted.to_string(),
                actual: likelihood.is_some().to_string(),
                rule: rule(),
            });
        }
        for (name, wanted, got) in
            [("likelihood", &e.likelihood, likelihood), ("impact", &e.impact, impact)]
        {
            let Some(wanted) = wanted else { continue };
            let Some(level) = Level::parse(wanted) else {
                errors.push(
                    Diagnostic::new(format!("`{wanted}` is not a level"))
                        .at(at(&format!("{path}.{name}")))
                        .help("write High, Medium or Low"),
                );
                continue;
            };
            if got != Some(level) {
                failures.push(Failure {
                    expectation: format!("risk {reference} {name}"),
                    expected: level.as_str().into(),
                    actual: got.map_or("not assessed".into(), |l| l.as_str().into()),
                    rule: rule(),
                });
            }
        }
    }
    Ok(())
}

fn expect_proposed(
    run: &Run,
    expect: &Expect,
    at: At,
    failures: &mut Vec<Failure>,
    errors: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    if expect.proposed.is_empty() && expect.not_proposed.is_empty() {
        return Ok(());
    }
    let (m, g, a) = (&run.model, &run.graph, &run.assessment);
    let ActionPlan { actions, .. } = risk::plan(m, g, run.rules, a)?;
    let ids: Vec<&str> = g
        .dag
        .node_weights()
        .filter(|n| n.kind != NodeKind::Outcome)
        .map(|n| n.id.as_str())
        .collect();
    for (key, list, wanted) in
        [("proposed", &expect.proposed, true), ("not_proposed", &expect.not_proposed, false)]
    {
        for (k, id) in list.iter().enumerate() {
            if !ids.contains(&id.as_str()) {
                errors.push(
                    Diagnostic::new(format!("no task or project `{id}` in the model"))
                        .at(at(&format!("expect.{key}[{k}]")))
                        .help(suggest(id, ids.iter().copied())),
                );
                continue;
            }
            let present = actions.iter().any(|p| g.dag[p.node].id == *id);
            if present != wanted {
                let words = |p: bool| {
                    if p { "among the proposed actions" } else { "not among the proposed actions" }
                };
                failures.push(Failure {
                    expectation: format!("{id} {key}"),
                    expected: words(wanted).into(),
                    actual: words(present).into(),
                    rule: run.rules.hook_location("risk", "propose"),
                });
            }
        }
    }
    Ok(())
}
