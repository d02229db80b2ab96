//! Command-line arguments, turned once into a typed request and run.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::assess::{self, Assessment, Standing};
use crate::error::{Diagnostic, Error, suggest};
use crate::graph::Graph;
use crate::model::Span;
use crate::model::{self, Model, Source};
use crate::report::check::ModelInfo;
use crate::report::critical_path::CriticalPath;
use crate::report::explain::Explanation;
use crate::report::exposure::{self, ExposureOut};
use crate::report::forecast::{self, Forecast};
use crate::report::graph::GraphOut;
use crate::report::risk_report::{self, Forecasted, RiskInputs};
use crate::report::sensitivity::{self, SensitivityOut};
use crate::report::text::Colour;
use crate::report::what_if::{self, Comparison, WhatIf, WhatIfOut};
use crate::report::{self, Evaluated, json};
use crate::risk;
use crate::rules::Rules;
use crate::scenario::{self, Change, Scenario, Slip};

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
    /// Load and validate a model and the rules; print what was loaded.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
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

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date: expected YYYY-MM-DD, such as 2005-09-30"))
}

/// What a successful run prints, and its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// Text for standard output.
    pub stdout: String,
    /// Exit code: 0, or 1 when a `--fail-on` gate trips.
    pub code: u8,
}

impl Done {
    fn ok(stdout: String) -> Self {
        Done { stdout, code: 0 }
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
    // A size limit that is set but is no size is an error even where no file is read.
    crate::input::max_bytes()?;
    let source = match &cli.model {
        Some(path) => Source::Path(path.clone()),
        None => Source::Embedded,
    };
    let open = || Session::open(&source, cli.rules.as_deref(), cli.as_of);
    match &cli.command {
        Command::Check { format } => {
            let (model, graph) = load(&source)?;
            Rules::load(cli.rules.as_deref())?;
            let summary = report::check::Summary::new(&model, &graph);
            Ok(Done::ok(match format {
                Format::Table => summary.table(),
                Format::Json => json::to_string(&summary.counts()),
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
            Ok(Done { stdout, code: u8::from(tripped) })
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
        Command::WhatIf { slips, scenario, format } => {
            what_if(&open()?, slips, scenario.as_deref(), *format)
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
        Command::RiskReport { format, output, scenario } => {
            let s = open()?;
            let text = risk_report(&s, scenario.as_deref(), *format)?;
            match output {
                Some(path) => {
                    // Every file this run read, so that the report never replaces one.
                    let mut inputs: Vec<PathBuf> =
                        s.rules.from_directory.iter().map(PathBuf::from).collect();
                    if let Some(m) = &cli.model {
                        inputs.push(m.clone());
                        inputs.push(PathBuf::from(&s.model.origin.catalogue.name));
                    }
                    inputs.extend(scenario.iter().cloned());
                    report::write_atomically(path, &text, &inputs)?;
                    Ok(Done::ok(String::new()))
                }
                None => Ok(Done::ok(text)),
            }
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

fn what_if(
    s: &Session,
    slips: &[String],
    file: Option<&std::path::Path>,
    format: OutFormat,
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
                results.push(WhatIf::new(&on_date, sc, &after));
                runs.push(after);
            }
            Err(e) => errors.extend(e.diagnostics),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
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
    let c = Comparison::new(&e, results);
    Ok(Done::ok(match format {
        OutFormat::Table => what_if::comparison_table(&e, &c, &runs),
        OutFormat::Md => what_if::comparison_markdown(&e, &c, &runs),
        OutFormat::Json => json::to_string(&c),
    }))
}

fn risk_report(
    s: &Session,
    file: Option<&std::path::Path>,
    format: DocFormat,
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
    };
    let doc = risk_report::document(&inputs);
    Ok(match format {
        DocFormat::Md => doc.markdown(),
        DocFormat::Html => doc.html(),
    })
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
