//! Command-line arguments, turned once into a typed request and run.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::assess::{self, Assessment, Standing};
use crate::bvpi;
use crate::error::{Diagnostic, Error, suggest};
use crate::graph::Graph;
use crate::model::Span;
use crate::model::{self, Model, Source};
use crate::report::bvpi::BvpiOut;
use crate::report::check::ModelInfo;
use crate::report::critical_path::CriticalPath;
use crate::report::explain::Explanation;
use crate::report::exposure::{self, ExposureOut};
use crate::report::forecast::{self, Forecast};
use crate::report::graph::GraphOut;
use crate::report::ieg_return::IegReturn;
use crate::report::risk_report::{self, Forecasted, RiskInputs};
use crate::report::rule_tests::{self, TestsOut};
use crate::report::sensitivity::{self, SensitivityOut};
use crate::report::text::Colour;
use crate::report::what_if::{self, BvpiChange, Comparison, WhatIf, WhatIfOut};
use crate::report::{self, Evaluated, json};
use crate::rules::Rules;
use crate::ruletest;
use crate::scenario::{self, Change, Scenario, Slip};
use crate::{ieg, risk};

/// Forecast a council's e-Government routemap against the ODPM priority outcomes.
///
/// With no --model, routemap evaluates the embedded Charnwood Borough Council routemap
/// (version 3, 13 April 2005) with the embedded rules (rules/*.rhai).
#[derive(Debug, Parser)]
#[command(name = "routemap", version, about, long_about = None)]
pub struct Cli {
    /// A routemap model file (YAML; see docs/model.md). Default: the embedded Charnwood routemap.
    #[arg(long, global = true, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// A directory of rule scripts replacing the embedded ones by name (see docs/rules.md).
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Judge the routemap on this date (YYYY-MM-DD) instead of its issue date.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate a model and the rules; print what was loaded, and warn of what is
    /// legal but probably wrong (on standard error, or under `warnings` in the JSON).
    #[command(
        after_help = "Examples:\n  routemap check --model my-council.yaml\n  routemap check --model my-council.yaml --deny-warnings --format json"
    )]
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Exit with code 1 when there are warnings (errors always exit with code 2).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// The ODPM priority outcomes a model is judged against: the built-in national catalogue,
    /// with any outcomes the model's own `catalogue` file overrides or adds.
    #[command(
        after_help = "Examples:\n  routemap outcomes\n  routemap outcomes --model my-council.yaml --format csv > outcomes.csv"
    )]
    Outcomes {
        /// Output format.
        #[arg(long, value_enum, default_value_t = TabularFormat::Table)]
        format: TabularFormat,
    },
    /// Where every outcome will stand at its deadline, and why.
    Forecast {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Exit with code 1 when any outcome has this status (for use as a gate).
        #[arg(long, value_enum, value_name = "STATUS")]
        fail_on: Option<StatusArg>,
    },
    /// The chain of work that sets an outcome's date, with each step's slack and owner.
    CriticalPath {
        /// An outcome code such as R8; every outcome when absent.
        code: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Why an outcome has its status: its tasks, the rule and what it saw, its drivers.
    Explain {
        /// An outcome code such as R8.
        code: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// What moves when work slips, and what it costs: one scenario against the baseline, or
    /// every scenario of a file side by side.
    #[command(name = "what-if")]
    WhatIf {
        /// Slip a task, project or action: ID=+90d, ID=+6w, ID=+3m (later than forecast),
        /// ID=2005-10-31 (finishes then) or ID=complete (done now). Repeat for more slips.
        #[arg(long = "slip", value_name = "ID=CHANGE")]
        slips: Vec<String>,
        /// A scenario file (YAML; see docs/scenarios.md); its scenarios are compared side by
        /// side, with the --slip slips as one more.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
        /// Simulate the baseline and each scenario this many runs (see `routemap simulate`)
        /// and show each scenario's P(on time) beside the baseline's.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        simulate: Option<u64>,
    },
    /// Slip each project, and each task an outcome waits on, in turn; rank them by the damage
    /// done (Required outcomes missed, funding exposure, days of delay).
    Sensitivity {
        /// The slips to try, comma-separated.
        #[arg(long, value_name = "SLIPS", value_delimiter = ',', default_value = "+1m,+3m,+6m")]
        by: Vec<String>,
        /// Show this many of the most damaging (0: all) in the table and Markdown.
        #[arg(long, value_name = "N", default_value_t = 15)]
        top: usize,
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// How much IEG funding the forecast puts at risk, per stream and per outcome.
    Exposure {
        /// Output format.
        #[arg(long, value_enum, default_value_t = OutFormat::Table)]
        format: OutFormat,
    },
    /// The routemap's Risk Analysis section, written from the forecast: each register risk's
    /// likelihood and impact from the evidence, the proposed actions and who is responsible.
    #[command(name = "risk-report")]
    RiskReport {
        /// Output format.
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
        /// Write to this file (atomically: it appears complete or not at all) instead of
        /// standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// A scenario file (see docs/scenarios.md): each scenario is assessed beside the
        /// forecast.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Simulate this many runs (see `routemap simulate`) and give P(on time) and P80 beside
        /// each Required outcome not on track.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        simulate: Option<u64>,
    },
    /// BVPI 157: when each interaction group of the routemap's e-enablement table is forecast
    /// to be enabled, and why; the e-enabled percentage over time; the percentage on the
    /// deadline against the target, and the groups that miss.
    #[command(
        after_help = "Examples:\n  routemap bvpi\n  routemap bvpi --slip contact-centre-rollout=2005-09-30 --format json"
    )]
    Bvpi {
        /// Forecast with this slip, as what-if takes them: ID=+3m, ID=2005-10-31 or
        /// ID=complete. Repeat for more slips.
        #[arg(long = "slip", value_name = "ID=CHANGE")]
        slips: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// The priority-outcome self-assessment of the IEG return: each outcome's position in the
    /// return's words (rules/ieg.rhai), its expected date and a line of evidence, with the
    /// BVPI 157 forecast.
    #[command(
        name = "ieg-return",
        after_help = "Examples:\n  routemap ieg-return > ieg-return.csv\n  routemap ieg-return --format md"
    )]
    IegReturn {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReturnFormat::Csv)]
        format: ReturnFormat,
    },
    /// Run the tests of the rules (DIR/tests/*.yaml beside --rules DIR; by default the
    /// embedded rules and their tests): one line per case, the failures with the rule behind
    /// each, and with --coverage the rule lines the tests never reached.
    #[command(after_help = "Examples:\n  \
        routemap test --coverage --threshold 100      # the embedded rules and their tests\n  \
        routemap test --rules my-rules --filter slack # a council's copy, the cases about slack")]
    Test {
        /// Run only the cases whose name contains this text.
        #[arg(long, value_name = "TEXT")]
        filter: Option<String>,
        /// Report which lines of each rule file the cases ran.
        #[arg(long)]
        coverage: bool,
        /// Exit with code 1 when the cases run less than this percentage of the rule lines
        /// (implies --coverage).
        #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
        threshold: Option<f64>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Monte Carlo deadline risk: each outcome's chance of meeting its deadline, its P50, P80
    /// and P95 dates, and what drives the spread, from slip distributions learnt from the
    /// routemap's own original and proposed targets (rules/simulate.rhai may override them).
    #[command(after_help = "Examples:\n  \
        routemap simulate\n  \
        routemap simulate --runs 100000 --seed 7 --format json\n  \
        routemap simulate --distributions   # the learnt distributions and their evidence\n  \
        routemap simulate --calibration     # how well they predict held-out slips")]
    Simulate {
        /// How many runs.
        #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        runs: u64,
        /// The seed: the same seed gives the same output, whatever the thread count.
        #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Threads (default: the available cores).
        #[arg(long, value_name = "T", value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: Option<u64>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Print every class's fitted distribution, its observations and the work using it,
        /// instead of simulating.
        #[arg(long, conflicts_with = "calibration")]
        distributions: bool,
        /// Hold each observation out in turn, predict it from the rest, and report the share at
        /// or under the predicted P50 and P80, instead of simulating.
        #[arg(long)]
        calibration: bool,
    },
    /// The dependency graph, critical edges marked.
    Graph {
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Json)]
        format: GraphFormat,
    },
}

/// Table or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// JSON for programs (see docs/json.md for the contract).
    Json,
}

/// Formats of a plain list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TabularFormat {
    /// Aligned text for people.
    Table,
    /// JSON for programs (see docs/json.md for the contract).
    Json,
    /// CSV, one row per item.
    Csv,
    /// A Markdown table.
    Md,
}

/// Formats of the forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Aligned text for people, coloured on a terminal.
    Table,
    /// JSON for programs.
    Json,
    /// CSV, one row per outcome.
    Csv,
    /// A Markdown table.
    Md,
}

/// Table, JSON or Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutFormat {
    /// Aligned text for people.
    Table,
    /// JSON for programs (see docs/json.md for the contract).
    Json,
    /// Markdown, to paste into a report.
    Md,
}

/// Formats of the IEG return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReturnFormat {
    /// CSV, one row per outcome, for a spreadsheet.
    Csv,
    /// Markdown, for a Cabinet report.
    Md,
    /// JSON for programs.
    Json,
}

/// Formats of a prose report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Markdown: pastes into Word through any converter.
    Md,
    /// One self-contained HTML file that prints on A4.
    Html,
}

/// Formats of the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Nodes and edges as JSON.
    Json,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
}

/// An outcome status, for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// achieved
    Achieved,
    /// on_track
    #[value(name = "on_track")]
    OnTrack,
    /// at_risk
    #[value(name = "at_risk")]
    AtRisk,
    /// off_track
    #[value(name = "off_track")]
    OffTrack,
    /// unknown
    Unknown,
}

impl StatusArg {
    fn standing(self) -> Standing {
        match self {
            StatusArg::Achieved => Standing::Achieved,
            StatusArg::OnTrack => Standing::OnTrack,
            StatusArg::AtRisk => Standing::AtRisk,
            StatusArg::OffTrack => Standing::OffTrack,
            StatusArg::Unknown => Standing::Unknown,
        }
    }
}

fn parse_percent(s: &str) -> Result<f64, String> {
    s.trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| format!("`{s}` is not a percentage: expected a number from 0 to 100"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: expected YYYY-MM-DD, such as 2005-09-30"))
}

/// What a successful run prints, and its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// Text for standard output.
    pub stdout: String,
    /// Warnings for standard error.
    pub stderr: String,
    /// Exit code: 0, or 1 when a `--fail-on` gate trips.
    pub code: u8,
}

impl Done {
    fn ok(stdout: String) -> Self {
        Done { stdout, stderr: String::new(), code: 0 }
    }
}

/// A loaded, evaluated routemap: what every evaluating command starts from.
pub struct Session {
    /// The model.
    pub model: Model,
    /// Its graph.
    pub graph: Graph,
    /// The compiled rules.
    pub rules: Rules,
    /// The baseline assessment.
    pub assessment: Assessment,
}

impl Session {
    /// Load model and rules and evaluate on `as_of` (default: the model's issue date).
    pub fn open(
        source: &Source,
        rules: Option<&std::path::Path>,
        as_of: Option<NaiveDate>,
    ) -> Result<Session, Error> {
        let (model, graph) = load(source)?;
        let rules = Rules::load(rules)?;
        let as_of = as_of.unwrap_or(model.document.issue_date);
        let assessment = assess::evaluate(&model, &graph, &rules, as_of)?;
        Ok(Session { model, graph, rules, assessment })
    }

    /// The view reports draw on.
    pub fn evaluated(&self) -> Evaluated<'_> {
        Evaluated {
            model: &self.model,
            graph: &self.graph,
            rules: &self.rules,
            assessment: &self.assessment,
        }
    }

    fn outcome(&self, code: &str) -> Result<&assess::OutcomeResult, Error> {
        let wanted = code.trim().to_uppercase();
        self.assessment.outcomes.iter().find(|r| self.graph.dag[r.node].id == wanted).ok_or_else(
            || {
                let codes = self.model.outcomes.iter().map(|o| o.code.as_str());
                Diagnostic::new(format!("no outcome `{code}`"))
                    .help(format!(
                        "outcome codes are R1..R29 and G1..G25; {}",
                        suggest(&wanted, codes)
                    ))
                    .into()
            },
        )
    }
}

/// Run a parsed command line.
pub fn run(cli: &Cli) -> Result<Done, Error> {
    let source = match &cli.model {
        Some(path) => Source::Path(path.clone()),
        None => Source::Embedded,
    };
    let open = || Session::open(&source, cli.rules.as_deref(), cli.as_of);
    match &cli.command {
        Command::Check { format, deny_warnings } => {
            let s = open()?;
            let warnings = crate::warnings::check(&s.evaluated());
            let summary = report::check::Summary::new(&s.model, &s.graph);
            let code = u8::from(*deny_warnings && !warnings.is_empty());
            Ok(match format {
                Format::Table => {
                    let mut stderr: String =
                        warnings.iter().map(|w| w.diagnostic.warning() + "\n").collect();
                    if !warnings.is_empty() {
                        let n = warnings.len();
                        stderr.push_str(&format!(
                            "{n} {}\n",
                            if n == 1 { "warning" } else { "warnings" }
                        ));
                    }
                    Done { stdout: summary.table(), stderr, code }
                }
                Format::Json => {
                    let mut counts = summary.counts();
                    counts.warnings = warnings.iter().map(report::check::WarningOut::new).collect();
                    Done { stdout: json::to_string(&counts), stderr: String::new(), code }
                }
            })
        }
        Command::Outcomes { format } => {
            let model = model::load(&source)?;
            let out = crate::report::outcomes::OutcomesOut::new(&model);
            Ok(Done::ok(match format {
                TabularFormat::Table => out.table(),
                TabularFormat::Json => json::to_string(&out),
                TabularFormat::Csv => out.csv(),
                TabularFormat::Md => out.markdown(),
            }))
        }
        Command::Forecast { format, fail_on } => {
            let s = open()?;
            let e = s.evaluated();
            let stdout = match format {
                ReportFormat::Table => forecast::table(&e, Colour::detect()),
                ReportFormat::Json => json::to_string(&Forecast::new(&e)),
                ReportFormat::Csv => forecast::csv(&e),
                ReportFormat::Md => forecast::markdown(&e),
            };
            let tripped = fail_on.is_some_and(|st| {
                s.assessment.outcomes.iter().any(|r| r.standing == st.standing())
            });
            Ok(Done { stdout, stderr: String::new(), code: u8::from(tripped) })
        }
        Command::CriticalPath { code, format } => {
            let s = open()?;
            let e = s.evaluated();
            let chosen: Vec<&assess::OutcomeResult> = match code {
                Some(c) => vec![s.outcome(c)?],
                None => s.assessment.outcomes.iter().collect(),
            };
            let paths: Vec<CriticalPath> =
                chosen.iter().map(|r| CriticalPath::new(&e, r)).collect();
            Ok(Done::ok(match format {
                Format::Json if code.is_some() => json::to_string(&paths[0]),
                Format::Json => json::to_string(&paths),
                Format::Table => paths
                    .iter()
                    .zip(&chosen)
                    .map(|(p, r)| p.table(&e, r))
                    .collect::<Vec<_>>()
                    .join("\n"),
            }))
        }
        Command::Explain { code, format } => {
            let s = open()?;
            let e = s.evaluated();
            let r = s.outcome(code)?;
            let x = Explanation::new(&e, r);
            Ok(Done::ok(match format {
                Format::Table => x.text(&e, r),
                Format::Json => json::to_string(&x),
            }))
        }
        Command::WhatIf { slips, scenario, format, simulate } => {
            what_if(&open()?, slips, scenario.as_deref(), *format, *simulate)
        }
        Command::Sensitivity { by, top, format } => {
            let spans = spans(by)?;
            let s = open()?;
            let e = s.evaluated();
            let results =
                scenario::sensitivity(&s.model, &s.graph, &s.rules, &s.assessment, &spans)?;
            Ok(Done::ok(match format {
                OutFormat::Table => sensitivity::table(&e, &spans, &results, *top),
                OutFormat::Json => json::to_string(&SensitivityOut::new(&e, &spans, &results)),
                OutFormat::Md => sensitivity::markdown(&e, &spans, &results, *top),
            }))
        }
        Command::Exposure { format } => {
            let s = open()?;
            let e = s.evaluated();
            Ok(Done::ok(match format {
                OutFormat::Table => exposure::table(&e),
                OutFormat::Json => json::to_string(&ExposureOut::new(&e)),
                OutFormat::Md => exposure::markdown(&e),
            }))
        }
        Command::RiskReport { format, output, scenario, simulate } => {
            let s = open()?;
            let text = risk_report(&s, scenario.as_deref(), *format, *simulate)?;
            match output {
                Some(path) => {
                    report::write_atomically(path, &text)?;
                    Ok(Done::ok(String::new()))
                }
                None => Ok(Done::ok(text)),
            }
        }
        Command::Bvpi { slips, format } => {
            let s = open()?;
            bvpi::table(&s.model)?;
            let parsed = command_line_slips(&s, slips)?;
            let after = if parsed.is_empty() {
                None
            } else {
                let sc = Scenario {
                    name: "command line".into(),
                    description: None,
                    as_of: None,
                    slips: parsed.clone(),
                };
                Some(scenario::run(&s.model, &s.graph, &s.rules, &s.assessment, &sc)?)
            };
            let a = after.as_ref().unwrap_or(&s.assessment);
            let e = Evaluated { assessment: a, ..s.evaluated() };
            let f = bvpi::evaluate_table(&s.model, &s.graph, &s.rules, a)?;
            Ok(Done::ok(match format {
                ReportFormat::Table => report::bvpi::table(&e, &f, &parsed),
                ReportFormat::Json => json::to_string(&BvpiOut::new(&e, &f, &parsed)),
                ReportFormat::Md => report::bvpi::markdown(&e, &f, &parsed),
                ReportFormat::Csv => report::bvpi::csv(&e, &f),
            }))
        }
        Command::IegReturn { format } => {
            let s = open()?;
            let positions = ieg::positions(&s.rules, &s.assessment)?;
            let f = bvpi::evaluate(&s.model, &s.graph, &s.rules, &s.assessment)?;
            let e = s.evaluated();
            let r = IegReturn::new(&e, &positions, f.as_ref());
            Ok(Done::ok(match format {
                ReturnFormat::Csv => r.csv(),
                ReturnFormat::Md => r.markdown(&e),
                ReturnFormat::Json => json::to_string(&r),
            }))
        }
        Command::Test { filter, coverage, threshold, format } => {
            if cli.model.is_some() || cli.as_of.is_some() {
                return Err(Diagnostic::new("`routemap test` takes no --model or --as-of")
                    .help("each test case names its own model and as_of (see docs/rules.md, \"Testing your rules\")")
                    .into());
            }
            let coverage = *coverage || threshold.is_some();
            let results = ruletest::run(cli.rules.as_deref(), filter.as_deref(), coverage)?;
            let under = threshold.zip(results.total_percent()).is_some_and(|(t, p)| p < t);
            let stdout = match format {
                Format::Table => rule_tests::table(&results, *threshold),
                Format::Json => json::to_string(&TestsOut::new(&results, *threshold)),
            };
            Ok(Done {
                stdout,
                stderr: String::new(),
                code: u8::from(results.failed() > 0 || under),
            })
        }
        Command::Simulate { runs, seed, threads, format, distributions, calibration } => {
            let s = open()?;
            let options = simulate_options(*runs, *seed, *threads);
            simulate(&s, options, *format, *distributions, *calibration)
        }
        Command::Graph { format } => {
            let s = open()?;
            let g = GraphOut::new(&s.evaluated());
            Ok(Done::ok(match format {
                GraphFormat::Json => json::to_string(&g),
                GraphFormat::Dot => g.dot(),
                GraphFormat::Mermaid => g.mermaid(),
            }))
        }
    }
}

/// The scenarios a what-if runs: those of the file, then the `--slip` slips as one more.
pub fn scenarios(
    s: &Session,
    slips: &[String],
    file: Option<&std::path::Path>,
) -> Result<Vec<Scenario>, Error> {
    let mut out = match file {
        Some(path) => scenario::load_file(path, &s.model, &s.graph)?,
        None => Vec::new(),
    };
    if !slips.is_empty() {
        let parsed = command_line_slips(s, slips)?;
        out.push(Scenario {
            name: "command line".into(),
            description: None,
            as_of: None,
            slips: parsed,
        });
    }
    if out.is_empty() {
        return Err(Diagnostic::new("what-if needs something to slip")
            .help("give --slip ID=+3m (repeatable) or --scenario FILE; `routemap sensitivity` tries every slip")
            .into());
    }
    Ok(out)
}

/// The `--slip` slips, each checked against the model; every bad one is reported.
fn command_line_slips(s: &Session, slips: &[String]) -> Result<Vec<Slip>, Error> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for text in slips {
        match Slip::parse(text)
            .and_then(|slip| scenario::targets(&s.model, &s.graph, &slip).map(|_| slip))
        {
            Ok(slip) => parsed.push(slip),
            Err(d) => errors.push(d.prefixed("--slip ")),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(parsed)
}

fn what_if(
    s: &Session,
    slips: &[String],
    file: Option<&std::path::Path>,
    format: OutFormat,
    simulate: Option<u64>,
) -> Result<Done, Error> {
    let chosen = scenarios(s, slips, file)?;
    let e = s.evaluated();
    let mut results = Vec::with_capacity(chosen.len());
    let mut runs = Vec::with_capacity(chosen.len());
    let mut errors = Vec::new();
    for sc in &chosen {
        // A scenario judged on another date is compared with the routemap judged on that date,
        // so that what it reports moving is what its slips move.
        let own_date = sc.as_of.filter(|d| *d != s.assessment.basis.as_of);
        let before = match own_date {
            Some(d) => Some(assess::evaluate(&s.model, &s.graph, &s.rules, d)?),
            None => None,
        };
        let base = before.as_ref().unwrap_or(&s.assessment);
        match scenario::run(&s.model, &s.graph, &s.rules, base, sc) {
            Ok(after) => {
                let on_date = Evaluated { assessment: base, ..s.evaluated() };
                let mut w = WhatIf::new(&on_date, sc, &after);
                let before_bvpi = bvpi::evaluate(&s.model, &s.graph, &s.rules, base)?;
                let after_bvpi = bvpi::evaluate(&s.model, &s.graph, &s.rules, &after)?;
                if let (Some(b), Some(a)) = (&before_bvpi, &after_bvpi) {
                    w.bvpi157 = Some(BvpiChange::new(b, a));
                }
                results.push(w);
                runs.push(after);
            }
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let beside = match simulate {
        Some(n) => {
            let options = simulate_options(n, DEFAULT_SEED, None);
            let run = |a: &Assessment| -> Result<crate::simulate::Simulation, Error> {
                let plan = crate::simulate::Plan::new(&s.model, &s.graph, &s.rules, a)?;
                Ok(plan.run(&s.graph, a, options))
            };
            let base = run(&s.assessment)?;
            let each = runs.iter().map(run).collect::<Result<Vec<_>, Error>>()?;
            let names = chosen.iter().map(|c| c.name.clone()).collect();
            Some(crate::report::simulate::BesideOut::new(&e, names, &base, &each))
        }
        None => None,
    };
    let done = what_if_out(s, file, format, results, &runs)?;
    Ok(match beside {
        None => done,
        Some(b) => Done::ok(match format {
            OutFormat::Table => done.stdout + b.table().as_str(),
            OutFormat::Md => done.stdout + b.markdown().as_str(),
            OutFormat::Json => crate::report::simulate::with_field(&done.stdout, "simulation", &b),
        }),
    })
}

/// A progress bar on standard error, only when it is a terminal and the runs will take more
/// than about a second (at a conservative 100,000 runs a second a thread); otherwise none, and
/// nothing is written.
fn progress(options: crate::simulate::Options) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    let threads = u64::try_from(options.threads).unwrap_or(1);
    if !std::io::stderr().is_terminal() || options.runs <= 100_000 * threads {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(options.runs),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_message("simulating");
    Some(bar)
}

/// The seed `what-if --simulate` and `risk-report --simulate` use (as `simulate`'s default).
const DEFAULT_SEED: u64 = 2005;

fn what_if_out(
    s: &Session,
    file: Option<&std::path::Path>,
    format: OutFormat,
    mut results: Vec<WhatIf>,
    runs: &[Assessment],
) -> Result<Done, Error> {
    let e = s.evaluated();
    if file.is_none() {
        let w = results.remove(0);
        return Ok(Done::ok(match format {
            OutFormat::Table => what_if::table(&e, &w, Colour::detect()),
            OutFormat::Md => what_if::markdown(&e, &w),
            OutFormat::Json => json::to_string(&WhatIfOut {
                what_if: w,
                model: ModelInfo::new(&s.model),
                rules: e.rules_info(),
            }),
        }));
    }
    let mut c = Comparison::new(&e, results);
    c.baseline_bvpi157_percent =
        bvpi::evaluate(&s.model, &s.graph, &s.rules, &s.assessment)?.map(|f| f.percent_at_deadline);
    Ok(Done::ok(match format {
        OutFormat::Table => what_if::comparison_table(&e, &c, runs),
        OutFormat::Md => what_if::comparison_markdown(&e, &c, runs),
        OutFormat::Json => json::to_string(&c),
    }))
}

fn risk_report(
    s: &Session,
    file: Option<&std::path::Path>,
    format: DocFormat,
    simulate: Option<u64>,
) -> Result<String, Error> {
    let chosen = match file {
        Some(_) => scenarios(s, &[], file)?,
        None => Vec::new(),
    };
    let (m, g, r, a) = (&s.model, &s.graph, &s.rules, &s.assessment);
    let risk::Plan { actions, after } = risk::plan(m, g, r, a)?;
    let mut runs = Vec::with_capacity(chosen.len());
    let mut errors = Vec::new();
    for sc in &chosen {
        match scenario::run(m, g, r, a, sc) {
            Ok(run) => runs.push(run),
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let forecasted = |assessment| -> Result<Forecasted, Error> {
        Ok(Forecasted {
            e: Evaluated { model: m, graph: g, rules: r, assessment },
            scores: risk::score(m, g, r, assessment)?,
        })
    };
    let mut scenarios = Vec::with_capacity(chosen.len());
    for (sc, run) in chosen.iter().zip(&runs) {
        scenarios.push((sc, forecasted(run)?));
    }
    let inputs = RiskInputs {
        baseline: forecasted(a)?,
        actions,
        after: forecasted(&after)?,
        scenarios,
        scenario_file: file.map(|f| f.display().to_string()),
        bvpi: bvpi::evaluate(m, g, r, a)?,
    };
    let mut doc = risk_report::document(&inputs);
    if let Some(n) = simulate {
        let plan = crate::simulate::Plan::new(m, g, r, a)?;
        let sim = plan.run(g, a, simulate_options(n, DEFAULT_SEED, None));
        doc.blocks.extend(crate::report::simulate::risk_blocks(&s.evaluated(), &sim));
    }
    Ok(match format {
        DocFormat::Md => doc.markdown(),
        DocFormat::Html => doc.html(),
    })
}

/// The simulation options from the command line: threads default to the available cores.
fn simulate_options(runs: u64, seed: u64, threads: Option<u64>) -> crate::simulate::Options {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    crate::simulate::Options {
        runs,
        seed,
        threads: threads.map_or(cores, |t| usize::try_from(t).unwrap_or(1)),
    }
}

fn simulate(
    s: &Session,
    options: crate::simulate::Options,
    format: ReportFormat,
    distributions: bool,
    calibration: bool,
) -> Result<Done, Error> {
    use crate::report::simulate::{self as out, CalibrationOut, DistributionsOut, SimulateOut};
    let e = s.evaluated();
    let plan = crate::simulate::Plan::new(&s.model, &s.graph, &s.rules, &s.assessment)?;
    let fenced = |t: String| format!("```\n{t}```\n");
    if distributions {
        let d = DistributionsOut::new(&e, &plan);
        return Ok(Done::ok(match format {
            ReportFormat::Table => d.table(),
            ReportFormat::Json => json::to_string(&d),
            ReportFormat::Csv => d.csv(),
            ReportFormat::Md => fenced(d.table()),
        }));
    }
    if calibration {
        let c = CalibrationOut::new(&e, &plan.history);
        return Ok(Done::ok(match format {
            ReportFormat::Table => c.table(),
            ReportFormat::Json => json::to_string(&c),
            ReportFormat::Csv => c.csv(),
            ReportFormat::Md => fenced(c.table()),
        }));
    }
    let bar = progress(options);
    let sim = plan.run_with(&s.graph, &s.assessment, options, &|done| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let o = SimulateOut::new(&e, &plan, &sim);
    Ok(Done::ok(match format {
        ReportFormat::Table => out::table(&e, &o),
        ReportFormat::Json => json::to_string(&o),
        ReportFormat::Csv => out::csv(&o),
        ReportFormat::Md => out::markdown(&e, &o),
    }))
}

/// Parse `--by`: later-by slips only, shortest first, each once.
fn spans(by: &[String]) -> Result<Vec<Span>, Error> {
    let mut out = Vec::new();
    for text in by {
        let why = match Change::parse(text) {
            Ok(Change::Later(span)) => {
                out.push(span);
                continue;
            }
            Ok(_) => format!("`{text}` is not a slip later by some time"),
            Err(e) => e,
        };
        return Err(Diagnostic::new(format!("--by {text}: {why}"))
            .help("write later-by slips, comma-separated: --by +2w,+1m,+3m")
            .into());
    }
    out.sort_by_key(|s| (u64::from(s.months) * 31 + u64::from(s.days), s.months));
    out.dedup();
    Ok(out)
}

/// Load a model and build its graph: the first two stages every command needs.
pub fn load(source: &Source) -> Result<(Model, Graph), Error> {
    let model = model::load(source)?;
    let graph = Graph::build(&model)?;
    Ok((model, graph))
}
