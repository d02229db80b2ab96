//! Command-line arguments, turned once into a typed request and run.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::error::Error;
use crate::graph::Graph;
use crate::model::{self, Model, Source};
use crate::report;

/// Forecast a council's e-Government routemap against the ODPM priority outcomes.
///
/// With no --model, routemap evaluates the embedded Charnwood Borough Council routemap
/// (version 3, 13 April 2005).
#[derive(Debug, Parser)]
#[command(name = "routemap", version, about, long_about = None)]
pub struct Cli {
    /// A routemap model file (YAML; see docs/model.md). Default: the embedded Charnwood routemap.
    #[arg(long, global = true, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and validate a model; print what was loaded.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

/// Output formats for commands that print tables or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people.
    Table,
    /// JSON for programs (see DESIGN.md for the contract).
    Json,
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

/// Run a parsed command line.
pub fn run(cli: &Cli) -> Result<Done, Error> {
    let source = match &cli.model {
        Some(path) => Source::Path(path.clone()),
        None => Source::Embedded,
    };
    match cli.command {
        Command::Check { format } => {
            let (model, graph) = load(&source)?;
            let summary = report::check::Summary::new(&model, &graph);
            Ok(Done::ok(match format {
                Format::Table => summary.table(),
                Format::Json => report::json::to_string(&summary.counts()),
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
