//! Command-line arguments, turned once into a typed request and run.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::assess::{self, Assessment, Standing};
use crate::error::{Diagnostic, Error, suggest};
use crate::graph::Graph;
use crate::model::{self, Model, Source};
use crate::report::critical_path::CriticalPath;
use crate::report::explain::Explanation;
use crate::report::forecast::{self, Forecast};
use crate::report::graph::GraphOut;
use crate::report::text::Colour;
use crate::report::{self, Evaluated, json};
use crate::rules::Rules;

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
    /// JSON for programs (see DESIGN.md for the contract).
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

/// Load a model and build its graph: the first two stages every command needs.
pub fn load(source: &Source) -> Result<(Model, Graph), Error> {
    let model = model::load(source)?;
    let graph = Graph::build(&model)?;
    Ok((model, graph))
}
