//! Command-line arguments, turned once into a typed request and run.

use std::cell::OnceCell;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::render::Render;

use crate::assess::Standing;
use crate::error::{Diagnostic, Error};
use crate::model::Span;
use crate::model::{self, Source};
use crate::report::bvpi::BvpiReport;
use crate::report::check::{CheckReport, Summary};
use crate::report::critical_path::CriticalPaths;
use crate::report::explain::ExplainReport;
use crate::report::exposure::ExposureReport;
use crate::report::forecast::{self, ForecastReport};
use crate::report::graph::GraphOut;
use crate::report::ieg_return::{IegReport, IegReturn};
use crate::report::outcomes::OutcomesOut;
use crate::report::output::{ColorChoice, Format, OutputArgs};
use crate::report::risk_report::RiskReport;
use crate::report::rule_tests::TestReport;
use crate::report::sensitivity::SensitivityReport;
use crate::report::simulate::{CalibrationOut, DistributionsOut, SimulateOut, SimulateReport};
use crate::report::what_if::WhatIfReport;
use crate::report::{self, RulesInfo};
use crate::rules::Rules;
use crate::ruletest;
use crate::scenario::{self, Change};
use crate::session::Session;
use crate::simulate::{DEFAULT_SEED, Options};

/// Forecast a council's e-Government routemap against the ODPM priority outcomes.
///
/// With no --model, routemap evaluates the embedded Charnwood Borough Council routemap
/// (version 3, 13 April 2005) with the embedded rules (rules/*.rhai).
#[derive(Debug, Parser)]
#[command(
    name = "routemap",
    version,
    about,
    long_about = None,
    after_help = "Examples:\n  routemap forecast\n  routemap risk-report -o risk-report.html"
)]
pub struct Cli {
    /// `--model`, `--rules` and `--as-of` given before the command (`routemap --model X
    /// forecast`): read as if given after it, for the commands that take them.
    #[command(flatten)]
    pub before: Before,
    /// Colour terminal tables: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// What the command reads: its own `--model`, `--rules` and `--as-of`, or those given
    /// before it; one given twice, or before a command that does not take it, is an error.
    pub fn inputs(&self) -> Result<Inputs, Error> {
        let (own, takes_model, takes_as_of) = match &self.command {
            Command::Check { inputs, .. }
            | Command::Forecast { inputs, .. }
            | Command::CriticalPath { inputs, .. }
            | Command::Explain { inputs, .. }
            | Command::WhatIf { inputs, .. }
            | Command::Sensitivity { inputs, .. }
            | Command::Exposure { inputs, .. }
            | Command::RiskReport { inputs, .. }
            | Command::Simulate { inputs, .. }
            | Command::Bvpi { inputs, .. }
            | Command::IegReturn { inputs, .. }
            | Command::Graph { inputs, .. } => (inputs.clone(), true, true),
            Command::Outcomes { inputs, .. } => {
                (Inputs { model: inputs.clone(), as_of: None }, true, false)
            }
            Command::Test { rules, .. } => {
                let model = ModelArgs { model: None, rules: rules.clone() };
                (Inputs { model, as_of: None }, false, false)
            }
            Command::Completions { .. } | Command::Man => (Inputs::default(), false, false),
        };
        let b = &self.before;
        if let Command::Test { .. } = self.command
            && (b.model.is_some() || b.as_of.is_some())
        {
            return Err(Diagnostic::new("`routemap test` takes no --model or --as-of")
                .help("each test case names its own model and as_of (see docs/rules.md, \"Testing your rules\")")
                .into());
        }
        let takes_rules = !matches!(self.command, Command::Completions { .. } | Command::Man);
        Ok(Inputs {
            model: ModelArgs {
                model: either("--model", own.model.model, b.model.clone(), takes_model)?,
                rules: either("--rules", own.model.rules, b.rules.clone(), takes_rules)?,
            },
            as_of: either("--as-of", own.as_of, b.as_of, takes_as_of)?,
        })
    }
}

/// An option given after the command or before it: not both, and before only a command that
/// takes it.
fn either<T>(
    flag: &str,
    own: Option<T>,
    before: Option<T>,
    takes: bool,
) -> Result<Option<T>, Error> {
    match (own, before) {
        (Some(_), Some(_)) => Err(Diagnostic::new(format!("{flag} is given twice"))
            .help(format!("give {flag} once, after the command"))
            .into()),
        (None, Some(_)) if !takes => Err(Diagnostic::new(format!("this command takes no {flag}"))
            .help("see the command's --help for what it takes")
            .into()),
        (own, before) => Ok(own.or(before)),
    }
}

/// The model a command reads and the rules it judges with.
#[derive(Debug, Clone, Default, Args)]
pub struct ModelArgs {
    /// A routemap model file (YAML; see docs/model.md). Default: the embedded Charnwood routemap.
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// A directory of rule scripts replacing the embedded ones by name (see docs/rules.md).
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
}

/// What an evaluating command reads: the model, the rules and the date it is judged on.
#[derive(Debug, Clone, Default, Args)]
pub struct Inputs {
    /// The model and the rules.
    #[command(flatten)]
    pub model: ModelArgs,
    /// Judge the routemap on this date (YYYY-MM-DD) instead of its issue date.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
}

/// `--model`, `--rules` and `--as-of` before the command: accepted (older scripts write them
/// there) but listed with the commands that take them.
#[derive(Debug, Clone, Default, Args)]
pub struct Before {
    /// See the command's --model.
    #[arg(long = "model", id = "before_model", value_name = "PATH", hide = true)]
    pub model: Option<PathBuf>,
    /// See the command's --rules.
    #[arg(long = "rules", id = "before_rules", value_name = "DIR", hide = true)]
    pub rules: Option<PathBuf>,
    /// See the command's --as-of.
    #[arg(long = "as-of", id = "before_as_of", value_name = "DATE", value_parser = parse_date, hide = true)]
    pub as_of: Option<NaiveDate>,
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
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
        /// Exit with code 1 when there are warnings (errors always exit with code 2).
        #[arg(long)]
        deny_warnings: bool,
    },
    /// The ODPM priority outcomes a model is judged against: the built-in national catalogue,
    /// with any outcomes the model's own `catalogue` file overrides or adds.
    #[command(
        after_help = "Examples:\n  routemap outcomes\n  routemap outcomes --model my-council.yaml -o outcomes.csv"
    )]
    Outcomes {
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model (its catalogue) and the rules.
        #[command(flatten)]
        inputs: ModelArgs,
    },
    /// Where every outcome will stand at its deadline, and why.
    #[command(
        after_help = "Examples:\n  routemap forecast\n  routemap forecast -o dashboard.html\n  routemap forecast --fail-on off_track,unknown --format json"
    )]
    Forecast {
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
        /// Exit with code 1 when any outcome has one of these statuses (comma-separated or
        /// repeated), naming those outcomes on standard error: a gate for scripts.
        #[arg(long, value_enum, value_name = "STATUS", value_delimiter = ',')]
        fail_on: Vec<StatusArg>,
    },
    /// The chain of work that sets an outcome's date, with each step's slack and owner.
    #[command(
        name = "critical-path",
        after_help = "Examples:\n  routemap critical-path R8\n  routemap critical-path --format csv -o critical-paths.csv"
    )]
    CriticalPath {
        /// An outcome code such as R8; every outcome when absent.
        code: Option<String>,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Why an outcome has its status: its tasks, the rule and what it saw, its drivers.
    #[command(after_help = "Examples:\n  routemap explain R8\n  routemap explain R9 --format json")]
    Explain {
        /// An outcome code such as R8.
        code: String,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// What moves when work slips, and what it costs: one scenario against the baseline, or
    /// every scenario of a file side by side.
    #[command(
        name = "what-if",
        after_help = "Examples:\n  routemap what-if --slip document-management=+6m\n  routemap what-if --scenario fixtures/scenarios/programme-board.yaml -o scenarios.md"
    )]
    WhatIf {
        /// Slip a task, project or action: ID=+90d, ID=+6w, ID=+3m (later than forecast),
        /// ID=2005-10-31 (finishes then) or ID=complete (done now). Repeat for more slips.
        #[arg(long = "slip", value_name = "ID=CHANGE")]
        slips: Vec<String>,
        /// A scenario file (YAML; see docs/scenarios.md); its scenarios are compared side by
        /// side, with the --slip slips as one more.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Simulate the baseline and each scenario this many runs (see `routemap simulate`)
        /// and show each scenario's P(on time) beside the baseline's.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        simulate: Option<u64>,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Slip each project, and each task an outcome waits on, in turn; rank them by the damage
    /// done (Required outcomes missed, funding exposure, days of delay).
    #[command(
        after_help = "Examples:\n  routemap sensitivity\n  routemap sensitivity --by +3m --top 5 --format md"
    )]
    Sensitivity {
        /// The slips to try, comma-separated.
        #[arg(long, value_name = "SLIPS", value_delimiter = ',', default_value = "+1m,+3m,+6m")]
        by: Vec<String>,
        /// Show this many of the most damaging (0: all) in the table and Markdown.
        #[arg(long, value_name = "N", default_value_t = 15)]
        top: usize,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// How much IEG funding the forecast puts at risk, per stream and per outcome.
    #[command(after_help = "Examples:\n  routemap exposure\n  routemap exposure -o exposure.csv")]
    Exposure {
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// The routemap's Risk Analysis section, written from the forecast: each register risk's
    /// likelihood and impact from the evidence, the proposed actions and who is responsible.
    /// Markdown by default; HTML is a Cabinet paper with a summary box and charts; docx a Word
    /// document in Word's heading and table styles.
    #[command(
        name = "risk-report",
        after_help = "Examples:\n  routemap risk-report -o risk-report.html\n  routemap risk-report -o risk-report.docx\n  routemap risk-report --scenario fixtures/scenarios/programme-board.yaml --format md"
    )]
    RiskReport {
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
        /// A scenario file (see docs/scenarios.md): each scenario is assessed beside the
        /// forecast.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
        /// Simulate this many runs (see `routemap simulate`) and give P(on time) and P80
        /// beside each Required outcome not on track.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        simulate: Option<u64>,
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
        /// Print every class's fitted distribution, its observations and the work using it,
        /// instead of simulating.
        #[arg(long, conflicts_with = "calibration")]
        distributions: bool,
        /// Hold each observation out in turn, predict it from the rest, and report the share at
        /// or under the predicted P50 and P80, instead of simulating.
        #[arg(long)]
        calibration: bool,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
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
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// The priority-outcome self-assessment of the IEG return: each outcome's position in the
    /// return's words (rules/ieg.rhai), its expected date and a line of evidence, with the
    /// BVPI 157 forecast. CSV by default.
    #[command(
        name = "ieg-return",
        after_help = "Examples:\n  routemap ieg-return > ieg-return.csv\n  routemap ieg-return --format md"
    )]
    IegReturn {
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
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
        /// The output options.
        #[command(flatten)]
        out: OutputArgs,
        /// A directory of rule scripts and their tests (DIR/tests/*.yaml); by default the
        /// embedded rules and their tests.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
    },
    /// The dependency graph: by default only the work some outcome waits on; with codes, only
    /// their upstream. Nodes carry their forecast and status; critical edges are marked.
    #[command(
        after_help = "Examples:\n  routemap graph R8 --format svg -o r8.svg\n  routemap graph --critical --format dot | dot -Tsvg > critical.svg"
    )]
    Graph {
        /// Outcome codes (R8 G3...): only the work upstream of them.
        codes: Vec<String>,
        /// Only the critical edges (each outcome's driving chain) and their nodes.
        #[arg(long)]
        critical: bool,
        /// Every node, also work no outcome waits on.
        #[arg(long, conflicts_with = "codes")]
        all: bool,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Shell completions for bash, zsh, fish, elvish or powershell, on standard output.
    #[command(
        after_help = "Examples:\n  routemap completions bash > /etc/bash_completion.d/routemap"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// The manual page (roff), on standard output.
    #[command(after_help = "Examples:\n  routemap man > routemap.1 && man ./routemap.1")]
    Man,
}

/// An outcome status, for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    /// achieved
    Achieved,
    /// on_track
    #[value(name = "on_track", alias = "on-track")]
    OnTrack,
    /// at_risk
    #[value(name = "at_risk", alias = "at-risk")]
    AtRisk,
    /// off_track
    #[value(name = "off_track", alias = "off-track")]
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

/// Every file this run reads, which an `--output` file must never replace: the model and the
/// catalogue it names, the rule files of `--rules DIR`, and a scenario file.
fn reads(cli: &Cli, inputs: &Inputs) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(m) = &inputs.model.model {
        out.push(m.clone());
        out.extend(model::catalogue_path(m));
    }
    if let Some(dir) = &inputs.model.rules
        && let Ok(entries) = std::fs::read_dir(dir)
    {
        out.extend(
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("rhai"))),
        );
        // `routemap test` reads the rules' tests beside them: every file there, whatever its
        // name, is kept from the output.
        if matches!(cli.command, Command::Test { .. })
            && let Ok(entries) = std::fs::read_dir(dir.join("tests"))
        {
            out.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
        }
    }
    match &cli.command {
        Command::WhatIf { scenario: Some(f), .. }
        | Command::RiskReport { scenario: Some(f), .. } => {
            out.push(f.clone());
        }
        _ => {}
    }
    out
}

/// The `--version` text: the crate version and the embedded model's and rules' hashes.
pub fn long_version() -> String {
    let mut out = env!("CARGO_PKG_VERSION").to_string();
    if let Ok(m) = model::load(&Source::Embedded) {
        out.push_str(&format!(
            "\nembedded model: {} {} (hash {})",
            m.document.council, m.document.version, m.origin.hash
        ));
    }
    if let Ok(r) = Rules::load(None) {
        out.push_str(&format!("\nembedded rules: {} files (hash {})", r.files.len(), r.hash));
    }
    out
}

/// Parse the command line, with the long `--version` text built only when it is asked for.
pub fn parse() -> Cli {
    use clap::FromArgMatches;
    let wants_version = std::env::args().skip(1).any(|a| a == "--version" || a == "-V");
    let mut cmd = command();
    if wants_version {
        cmd = cmd.version(long_version());
    }
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The formats each command writes, from its result's [`Render::FORMATS`]: the one list its
/// `--format` values, its help and its refusals come from.
fn formats(command: &str) -> &'static [Format] {
    match command {
        "check" => CheckReport::FORMATS,
        "outcomes" => OutcomesOut::FORMATS,
        "forecast" => ForecastReport::FORMATS,
        "critical-path" => CriticalPaths::FORMATS,
        "explain" => ExplainReport::FORMATS,
        "what-if" => WhatIfReport::FORMATS,
        "sensitivity" => SensitivityReport::FORMATS,
        "exposure" => ExposureReport::FORMATS,
        "risk-report" => RiskReport::FORMATS,
        "simulate" => SimulateReport::FORMATS,
        "bvpi" => BvpiReport::FORMATS,
        "ieg-return" => IegReport::FORMATS,
        "test" => TestReport::FORMATS,
        "graph" => GraphOut::FORMATS,
        _ => &[],
    }
}

/// The command line's definition: the derived one, with each command's `--format` values the
/// formats its result writes (default first).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let mut cmd = Cli::command();
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for name in names {
        let offered = formats(&name);
        cmd = cmd.mut_subcommand(&name, |sub| {
            if offered.is_empty() {
                return sub;
            }
            // Every format parses, so that one the command does not write is refused by
            // `OutputArgs::choose` with the formats it does; only those are listed.
            let mut values: Vec<PossibleValue> =
                offered.iter().filter_map(|f| f.to_possible_value()).collect();
            values.extend(
                Format::value_variants()
                    .iter()
                    .filter(|f| !offered.contains(f))
                    .filter_map(|f| f.to_possible_value())
                    .map(|v| v.hide(true)),
            );
            let parser = PossibleValuesParser::new(values)
                .map(|name: String| Format::from_str(&name, false).unwrap_or(Format::Table));
            sub.mut_arg("format", |a| a.value_parser(parser))
        });
    }
    cmd
}

/// The manual page (roff): the name, synopsis, description and options of `routemap`, then
/// each command with its own options, the exit status and the environment. Every command is
/// described here, in the one page.
pub fn man_page() -> Result<String, Error> {
    let cmd = command();
    let fail = |e: std::io::Error| Error::msg(format!("cannot write the manual page: {e}"));
    let man = clap_mangen::Man::new(cmd.clone());
    let mut buf = Vec::new();
    man.render_title(&mut buf).map_err(fail)?;
    man.render_name_section(&mut buf).map_err(fail)?;
    man.render_synopsis_section(&mut buf).map_err(fail)?;
    man.render_description_section(&mut buf).map_err(fail)?;
    man.render_options_section(&mut buf).map_err(fail)?;
    let mut out = String::from_utf8_lossy(&buf).into_owned();
    out.push_str(".SH COMMANDS\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        let mut options = Vec::new();
        clap_mangen::Man::new(sub.clone()).render_options_section(&mut options).map_err(fail)?;
        let options = String::from_utf8_lossy(&options).replace(".SH OPTIONS\n", "");
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        out.push_str(&format!(
            ".SS \"routemap {}\"\n{}\n{options}",
            roff_text(sub.get_name()),
            roff_text(&about)
        ));
    }
    out.push_str(EXIT_AND_ENVIRONMENT);
    Ok(out)
}

/// Text as a roff paragraph reads it literally.
fn roff_text(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.replace('\\', "\\e").replace('-', "\\-");
            if l.starts_with(['.', '\'']) { format!("\\&{l}") } else { l }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The manual's exit status and environment sections.
const EXIT_AND_ENVIRONMENT: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
Success. A closed pipe (routemap forecast | head) is success.
.TP
\fB1\fR
A \-\-fail\-on gate tripped (the outcomes are named on standard error), a rule test failed, or test coverage is under \-\-threshold.
.TP
\fB2\fR
Bad input or usage: every problem is named on standard error with its file, line and column; nothing is written to standard output and no file is half\-written.
.TP
\fB74\fR
Standard output could not be written (a full disk).
.TP
\fB130\fR
Interrupted (SIGINT, SIGTERM or SIGHUP): a file being written with \-\-output is left as it was.
.SH ENVIRONMENT
.TP
\fBNO_COLOR\fR
When set and not empty, tables are not coloured (\-\-color auto).
.TP
\fBTERM\fR
When dumb, tables are not coloured (\-\-color auto).
.TP
\fBCOLUMNS\fR
The width tables are fitted to (at least 20); otherwise the terminal's width, or 100 columns into a file or a pipe.
.TP
\fBROUTEMAP_RULES_TIME_LIMIT\fR
Seconds the rules of one run may take in all (default 60).
.TP
\fBROUTEMAP_MAX_INPUT_BYTES\fR
The largest input file read, in bytes (default 1 GiB).
.SH "SEE ALSO"
The documentation in docs/ beside the source: model.md, rules.md, scenarios.md, simulate.md, json.md.
"#;

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    model::target::parse_date(s).map_err(|e| match e {
        model::target::DateProblem::NotADate => {
            format!("`{s}` is not a date: expected YYYY-MM-DD, such as 2005-09-30")
        }
        model::target::DateProblem::Year(message, help) => format!("{message}: {help}"),
    })
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

/// Run a parsed command line.
pub fn run(cli: &Cli) -> Result<Done, Error> {
    run_in(cli, &OnceCell::new())
}

/// [`run`], keeping the session the command opens (if any) in `session`, so that the caller
/// decides when, or whether, it is freed: the binary lets it go with the process, as freeing a
/// large model's graph and basis piece by piece takes longer than writing its forecast.
pub fn run_in(cli: &Cli, session: &OnceCell<Session>) -> Result<Done, Error> {
    // A size limit that is set but is no size is an error even where no file is read.
    crate::input::max_bytes()?;
    let inputs = cli.inputs()?;
    let source = match &inputs.model.model {
        Some(path) => Source::Path(path.clone()),
        None => Source::Embedded,
    };
    let open = || -> Result<&Session, Error> {
        if session.get().is_some() {
            return Err(Error::msg("internal error: a command opened its session twice"));
        }
        let opened = Session::open(&source, inputs.model.rules.as_deref(), inputs.as_of)?;
        Ok(session.get_or_init(|| opened))
    };
    let colour = cli.color;
    let reading = || reads(cli, &inputs);
    match &cli.command {
        Command::Check { out, deny_warnings, .. } => {
            let o = out.choose_for::<CheckReport>("check", colour)?.reading(reading);
            let s = open()?;
            let warnings = crate::warnings::check(&s.evaluated());
            let summary = Summary::new(&s.model, &s.graph);
            let r = CheckReport { summary, warnings: &warnings, rules: s.evaluated().rules_info() };
            let code = u8::from(*deny_warnings && !warnings.is_empty());
            Ok(Done { stdout: o.emit(&r)?, stderr: r.stderr(o.format), code })
        }
        Command::Outcomes { out, .. } => {
            let o = out.choose_for::<OutcomesOut>("outcomes", colour)?.reading(reading);
            let mut x = OutcomesOut::new(&model::load(&source)?);
            if o.format == Format::Json {
                x.rules = Some(RulesInfo::of(&Rules::load(inputs.model.rules.as_deref())?));
            }
            Ok(Done::ok(o.emit(&x)?))
        }
        Command::Forecast { out, fail_on, .. } => {
            let o = out.choose_for::<ForecastReport>("forecast", colour)?.reading(reading);
            let e = open()?.evaluated();
            let gate: Vec<Standing> = fail_on.iter().map(|st| st.standing()).collect();
            let tripped = forecast::gate(&e, &gate);
            let code = u8::from(!tripped.is_empty());
            Ok(Done { stdout: o.emit(&ForecastReport(e))?, stderr: tripped, code })
        }
        Command::CriticalPath { code, out, .. } => {
            let o = out.choose_for::<CriticalPaths>("critical-path", colour)?.reading(reading);
            let s = open()?;
            let chosen = match code {
                Some(c) => vec![s.outcome(c)?],
                None => s.assessment.outcomes.iter().collect(),
            };
            Ok(Done::ok(o.emit(&CriticalPaths::new(s.evaluated(), chosen, code.is_some()))?))
        }
        Command::Explain { code, out, .. } => {
            let o = out.choose_for::<ExplainReport>("explain", colour)?.reading(reading);
            let s = open()?;
            Ok(Done::ok(o.emit(&ExplainReport::new(s.evaluated(), s.outcome(code)?))?))
        }
        Command::WhatIf { slips, scenario, simulate, out, .. } => {
            let o = out.choose_for::<WhatIfReport>("what-if", colour)?.reading(reading);
            let s = open()?;
            let sim = simulate.map(|n| Options::new(n, DEFAULT_SEED, None));
            let run = s.what_if(slips, scenario.as_deref(), sim)?;
            Ok(Done::ok(o.emit(&WhatIfReport::new(s, &run))?))
        }
        Command::Sensitivity { by, top, out, .. } => {
            let o = out.choose_for::<SensitivityReport>("sensitivity", colour)?.reading(reading);
            let spans = spans(by)?;
            let s = open()?;
            let results =
                scenario::sensitivity(&s.model, &s.graph, &s.rules, &s.assessment, &spans)?;
            let r =
                SensitivityReport { e: s.evaluated(), spans: &spans, results: &results, top: *top };
            Ok(Done::ok(o.emit(&r)?))
        }
        Command::Exposure { out, .. } => {
            let o = out.choose_for::<ExposureReport>("exposure", colour)?.reading(reading);
            Ok(Done::ok(o.emit(&ExposureReport(open()?.evaluated()))?))
        }
        Command::RiskReport { out, scenario, simulate, .. } => {
            let o = out.choose_for::<RiskReport>("risk-report", colour)?.reading(reading);
            let s = open()?;
            let sim = simulate.map(|n| Options::new(n, DEFAULT_SEED, None));
            let run = s.risk(scenario.as_deref(), sim)?;
            Ok(Done::ok(o.emit(&RiskReport::new(s, &run, scenario.as_deref()))?))
        }
        Command::Simulate { runs, seed, threads, distributions, calibration, out, .. } => {
            let o = out.choose_for::<SimulateReport>("simulate", colour)?.reading(reading);
            let s = open()?;
            let options = Options::new(*runs, *seed, *threads);
            let report = simulate(s, options, *distributions, *calibration)?;
            Ok(Done::ok(o.emit(&report)?))
        }
        Command::Bvpi { slips, out, .. } => {
            let o = out.choose_for::<BvpiReport>("bvpi", colour)?.reading(reading);
            let s = open()?;
            let (slips, judged, f) = s.bvpi_with(slips)?;
            Ok(Done::ok(o.emit(&BvpiReport { e: s.on(&judged), f: &f, slips: &slips })?))
        }
        Command::IegReturn { out, .. } => {
            let o = out.choose_for::<IegReport>("ieg-return", colour)?.reading(reading);
            let s = open()?;
            let (positions, f, e) = (s.ieg_positions()?, s.bvpi(&s.assessment)?, s.evaluated());
            Ok(Done::ok(o.emit(&IegReport { e, r: IegReturn::new(&e, &positions, f.as_ref()) })?))
        }
        Command::Test { filter, coverage, threshold, out, .. } => {
            let o = out.choose_for::<TestReport>("test", colour)?.reading(reading);
            let coverage = *coverage || threshold.is_some();
            let results =
                ruletest::run(inputs.model.rules.as_deref(), filter.as_deref(), coverage)?;
            let under = threshold.zip(results.total_percent()).is_some_and(|(t, p)| p < t);
            let code = u8::from(results.failed() > 0 || under);
            let stdout = o.emit(&TestReport { results: &results, threshold: *threshold })?;
            Ok(Done { stdout, stderr: String::new(), code })
        }
        Command::Graph { codes, critical, all, out, .. } => {
            let o = out.choose_for::<GraphOut>("graph", colour)?.reading(reading);
            let s = open()?;
            let roots =
                codes.iter().map(|c| s.outcome(c).map(|r| r.node)).collect::<Result<_, _>>()?;
            let filter = report::graph::Filter { roots, critical: *critical, all: *all };
            Ok(Done::ok(o.emit(&GraphOut::new(&s.evaluated(), &filter))?))
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut command(), "routemap", &mut buf);
            Ok(Done::ok(String::from_utf8_lossy(&buf).into_owned()))
        }
        Command::Man => Ok(Done::ok(man_page()?)),
    }
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

/// A progress bar on standard error, only when it is a terminal and the runs will take more
/// than about a second.
fn progress(options: Options) -> Option<indicatif::ProgressBar> {
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

fn simulate<'a>(
    s: &'a Session,
    options: Options,
    distributions: bool,
    calibration: bool,
) -> Result<SimulateReport<'a>, Error> {
    let e = s.evaluated();
    if distributions || calibration {
        let plan = s.simulation_plan()?;
        return Ok(if distributions {
            SimulateReport::Distributions(DistributionsOut::new(&e, &plan))
        } else {
            SimulateReport::Calibration(CalibrationOut::new(&e, &plan.history))
        });
    }
    let plan = s.simulation_plan()?;
    let bar = progress(options);
    let sim = plan.run_with(&s.graph, &s.assessment, options, &|done| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(SimulateReport::Runs(e, SimulateOut::new(&e, &plan, &sim)))
}
