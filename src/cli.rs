//! Command-line arguments, turned once into a typed request and run.

use std::cell::OnceCell;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};

use crate::assess::{self, Assessment, Standing};
use crate::bvpi;
use crate::error::{Diagnostic, Error};
use crate::model::Span;
use crate::model::{self, Source};
use crate::report::bvpi::BvpiOut;
use crate::report::check::ModelInfo;
use crate::report::critical_path::CriticalPath;
use crate::report::explain::Explanation;
use crate::report::exposure::{self, ExposureOut};
use crate::report::forecast::{self, Forecast};
use crate::report::graph::GraphOut;
use crate::report::ieg_return::IegReturn;
use crate::report::output::{ColorChoice, Format, OutputArgs, Rendered};
use crate::report::risk_report::{self, Forecasted, RiskInputs};
use crate::report::rule_tests::{self, TestsOut};
use crate::report::sensitivity::{self, SensitivityOut};
use crate::report::what_if::{self, BvpiChange, Comparison, WhatIf, WhatIfOut};
use crate::report::{self, Evaluated, json};
use crate::rules::Rules;
use crate::ruletest;
use crate::scenario::{self, Change, Scenario};
use crate::session::Session;
use crate::{ieg, risk};

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
    /// A routemap model file (YAML; see docs/model.md). Default: the embedded Charnwood routemap.
    #[arg(long, global = true, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// A directory of rule scripts replacing the embedded ones by name (see docs/rules.md).
    #[arg(long, global = true, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Judge the routemap on this date (YYYY-MM-DD) instead of its issue date.
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<NaiveDate>,
    /// Colour terminal tables: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
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
    },
    /// Where every outcome will stand at its deadline, and why.
    #[command(
        after_help = "Examples:\n  routemap forecast\n  routemap forecast -o dashboard.html\n  routemap forecast --fail-on off_track,unknown --format json"
    )]
    Forecast {
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
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
    },
    /// Why an outcome has its status: its tasks, the rule and what it saw, its drivers.
    #[command(after_help = "Examples:\n  routemap explain R8\n  routemap explain R9 --format json")]
    Explain {
        /// An outcome code such as R8.
        code: String,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
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
    },
    /// How much IEG funding the forecast puts at risk, per stream and per outcome.
    #[command(after_help = "Examples:\n  routemap exposure\n  routemap exposure -o exposure.csv")]
    Exposure {
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
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
fn reads(cli: &Cli) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(m) = &cli.model {
        out.push(m.clone());
        out.extend(model::catalogue_path(m));
    }
    if let Some(dir) = &cli.rules
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
    use clap::{CommandFactory, FromArgMatches};
    let wants_version = std::env::args().skip(1).any(|a| a == "--version" || a == "-V");
    let mut cmd = Cli::command();
    if wants_version {
        cmd = cmd.version(long_version());
    }
    let matches = cmd.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

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
    use Format::{Csv, Dot, Html, Json, Md, Mermaid, Svg, Table};
    let source = match &cli.model {
        Some(path) => Source::Path(path.clone()),
        None => Source::Embedded,
    };
    let open = || -> Result<&Session, Error> {
        if session.get().is_some() {
            return Err(Error::msg("internal error: a command opened its session twice"));
        }
        let opened = Session::open(&source, cli.rules.as_deref(), cli.as_of)?;
        Ok(session.get_or_init(|| opened))
    };
    let colour = cli.color;
    match &cli.command {
        Command::Check { out, deny_warnings } => {
            let o = out.choose("check", &[Table, Json], colour)?.reading(|| reads(cli));
            let s = open()?;
            let warnings = crate::warnings::check(&s.evaluated());
            let summary = report::check::Summary::new(&s.model, &s.graph);
            let code = u8::from(*deny_warnings && !warnings.is_empty());
            Ok(match o.format {
                Json => {
                    let mut counts = summary.counts();
                    counts.warnings = warnings.iter().map(report::check::WarningOut::new).collect();
                    counts.rules = Some(s.evaluated().rules_info());
                    Done {
                        stdout: o.finish(json::to_string(&counts))?,
                        stderr: String::new(),
                        code,
                    }
                }
                _ => {
                    let mut stderr: String =
                        warnings.iter().map(|w| w.diagnostic.warning() + "\n").collect();
                    if !warnings.is_empty() {
                        let n = warnings.len();
                        stderr.push_str(&format!(
                            "{n} {}\n",
                            if n == 1 { "warning" } else { "warnings" }
                        ));
                    }
                    Done { stdout: o.finish(summary.table())?, stderr, code }
                }
            })
        }
        Command::Outcomes { out } => {
            let o = out.choose("outcomes", &[Table, Json, Csv, Md], colour)?.reading(|| reads(cli));
            let model = model::load(&source)?;
            let mut x = crate::report::outcomes::OutcomesOut::new(&model);
            Ok(Done::ok(o.finish(match o.format {
                Json => {
                    x.rules = Some(report::RulesInfo::of(&Rules::load(cli.rules.as_deref())?));
                    json::to_string(&x)
                }
                Csv => x.csv(),
                Md => x.markdown(),
                _ => x.table(),
            })?))
        }
        Command::Forecast { out, fail_on } => {
            let o = out
                .choose("forecast", &[Table, Json, Csv, Md, Html], colour)?
                .reading(|| reads(cli));
            let s = open()?;
            let e = s.evaluated();
            let stdout = match o.format {
                Json => json::to_string(&Forecast::new(&e)),
                Csv => forecast::csv(&e),
                Md => forecast::markdown(&e),
                Html => report::dashboard::html(&e),
                _ => forecast::table(&e, o.colour),
            };
            let gate: Vec<Standing> = fail_on.iter().map(|st| st.standing()).collect();
            let tripped = forecast::gate(&e, &gate);
            Ok(Done {
                stdout: o.finish(stdout)?,
                stderr: tripped.clone(),
                code: u8::from(!tripped.is_empty()),
            })
        }
        Command::CriticalPath { code, out } => {
            let o = out
                .choose("critical-path", &[Table, Json, Csv, Md], colour)?
                .reading(|| reads(cli));
            let s = open()?;
            let e = s.evaluated();
            let chosen: Vec<&assess::OutcomeResult> = match code {
                Some(c) => vec![s.outcome(c)?],
                None => s.assessment.outcomes.iter().collect(),
            };
            let paths: Vec<CriticalPath> =
                chosen.iter().map(|r| CriticalPath::top(&e, r)).collect();
            Ok(Done::ok(
                o.finish(match o.format {
                    Json if code.is_some() => json::to_string(&paths[0]),
                    Json => json::to_string(&paths),
                    Csv => report::critical_path::csv(&paths),
                    Md => report::critical_path::markdown(&e, &paths),
                    _ => paths
                        .iter()
                        .zip(&chosen)
                        .map(|(p, r)| p.table(&e, r, o.colour))
                        .collect::<Vec<_>>()
                        .join("\n"),
                })?,
            ))
        }
        Command::Explain { code, out } => {
            let o = out.choose("explain", &[Table, Json], colour)?.reading(|| reads(cli));
            let s = open()?;
            let e = s.evaluated();
            let r = s.outcome(code)?;
            let x = Explanation::new(&e, r);
            Ok(Done::ok(o.finish(match o.format {
                Json => json::to_string(&x),
                _ => x.text(&e, r, o.colour),
            })?))
        }
        Command::WhatIf { slips, scenario, simulate, out } => {
            let o = out.choose("what-if", &[Table, Json, Csv, Md], colour)?.reading(|| reads(cli));
            let text = what_if(open()?, slips, scenario.as_deref(), &o, *simulate)?;
            Ok(Done::ok(o.finish(text)?))
        }
        Command::Sensitivity { by, top, out } => {
            let o =
                out.choose("sensitivity", &[Table, Json, Csv, Md], colour)?.reading(|| reads(cli));
            let spans = spans(by)?;
            let s = open()?;
            let e = s.evaluated();
            let results =
                scenario::sensitivity(&s.model, &s.graph, &s.rules, &s.assessment, &spans)?;
            Ok(Done::ok(o.finish(match o.format {
                Json => json::to_string(&SensitivityOut::new(&e, &spans, &results)),
                Csv => sensitivity::csv(&e, &spans, &results),
                Md => sensitivity::markdown(&e, &spans, &results, *top),
                _ => sensitivity::table(&e, &spans, &results, *top),
            })?))
        }
        Command::Exposure { out } => {
            let o = out.choose("exposure", &[Table, Json, Csv, Md], colour)?.reading(|| reads(cli));
            let s = open()?;
            let e = s.evaluated();
            Ok(Done::ok(o.finish(match o.format {
                Json => json::to_string(&ExposureOut::new(&e)),
                Csv => exposure::csv(&e),
                Md => exposure::markdown(&e),
                _ => exposure::table(&e, o.colour),
            })?))
        }
        Command::RiskReport { out, scenario, simulate } => {
            let o = out
                .choose("risk-report", &[Md, Html, Json, Format::Docx], colour)?
                .reading(|| reads(cli));
            let s = open()?;
            let rendered = risk_report(s, scenario.as_deref(), o.format, *simulate)?;
            Ok(Done::ok(o.finish_rendered(rendered)?))
        }
        Command::Simulate { runs, seed, threads, distributions, calibration, out } => {
            let o = out.choose("simulate", &[Table, Json, Csv, Md], colour)?.reading(|| reads(cli));
            let s = open()?;
            let options = simulate_options(*runs, *seed, *threads);
            let text = simulate(s, options, o.format, *distributions, *calibration)?;
            Ok(Done::ok(o.finish(text)?))
        }
        Command::Bvpi { slips, out } => {
            let o = out.choose("bvpi", &[Table, Json, Csv, Md], colour)?.reading(|| reads(cli));
            let s = open()?;
            bvpi::table(&s.model)?;
            let parsed = s.slips(slips)?;
            let after = if parsed.is_empty() {
                None
            } else {
                let sc = Scenario {
                    name: "command line".into(),
                    description: None,
                    as_of: None,
                    slips: parsed.clone(),
                };
                Some(s.compare(&sc)?.scenario)
            };
            let a = after.as_ref().unwrap_or(&s.assessment);
            let e = s.on(a);
            let f = bvpi::evaluate_table(&s.model, &s.graph, &s.rules, a)?;
            Ok(Done::ok(o.finish(match o.format {
                Json => json::to_string(&BvpiOut::new(&e, &f, &parsed)),
                Md => report::bvpi::markdown(&e, &f, &parsed),
                Csv => report::bvpi::csv(&e, &f),
                _ => report::bvpi::table(&e, &f, &parsed),
            })?))
        }
        Command::IegReturn { out } => {
            let o =
                out.choose("ieg-return", &[Csv, Table, Json, Md], colour)?.reading(|| reads(cli));
            let s = open()?;
            let positions = ieg::positions(&s.model, &s.rules, &s.assessment)?;
            let f = bvpi::evaluate(&s.model, &s.graph, &s.rules, &s.assessment)?;
            let e = s.evaluated();
            let r = IegReturn::new(&e, &positions, f.as_ref());
            Ok(Done::ok(o.finish(match o.format {
                Md => r.markdown(&e),
                Json => json::to_string(&r),
                Table => r.table(&e, o.colour),
                _ => r.csv(),
            })?))
        }
        Command::Test { filter, coverage, threshold, out } => {
            let o = out.choose("test", &[Table, Json], colour)?.reading(|| reads(cli));
            if cli.model.is_some() || cli.as_of.is_some() {
                return Err(Diagnostic::new("`routemap test` takes no --model or --as-of")
                    .help("each test case names its own model and as_of (see docs/rules.md, \"Testing your rules\")")
                    .into());
            }
            let coverage = *coverage || threshold.is_some();
            let results = ruletest::run(cli.rules.as_deref(), filter.as_deref(), coverage)?;
            let under = threshold.zip(results.total_percent()).is_some_and(|(t, p)| p < t);
            let stdout = match o.format {
                Json => json::to_string(&TestsOut::new(&results, *threshold)),
                _ => rule_tests::table(&results, *threshold),
            };
            Ok(Done {
                stdout: o.finish(stdout)?,
                stderr: String::new(),
                code: u8::from(results.failed() > 0 || under),
            })
        }
        Command::Graph { codes, critical, all, out } => {
            let o = out.choose("graph", &[Json, Dot, Mermaid, Svg], colour)?.reading(|| reads(cli));
            let s = open()?;
            let mut roots = Vec::with_capacity(codes.len());
            for c in codes {
                roots.push(s.outcome(c)?.node);
            }
            let filter = report::graph::Filter { roots, critical: *critical, all: *all };
            let g = GraphOut::new(&s.evaluated(), &filter);
            Ok(Done::ok(o.finish(match o.format {
                Dot => g.dot(),
                Mermaid => g.mermaid(),
                Svg => report::svg::graph(&g),
                _ => json::to_string(&g),
            })?))
        }
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "routemap", &mut buf);
            Ok(Done::ok(String::from_utf8_lossy(&buf).into_owned()))
        }
        Command::Man => {
            use clap::CommandFactory;
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut buf)
                .map_err(|e| Error::msg(format!("cannot write the manual page: {e}")))?;
            Ok(Done::ok(String::from_utf8_lossy(&buf).into_owned()))
        }
    }
}

fn what_if(
    s: &Session,
    slips: &[String],
    file: Option<&std::path::Path>,
    o: &report::output::Output,
    simulate: Option<u64>,
) -> Result<String, Error> {
    let chosen = s.scenarios(slips, file)?;
    let e = s.evaluated();
    let compared = s.compare_all(&chosen)?;
    let mut results = Vec::with_capacity(chosen.len());
    let mut runs = Vec::with_capacity(chosen.len());
    for (sc, c) in chosen.iter().zip(compared) {
        let mut w = WhatIf::new(&s.on(&c.baseline), sc, &c.scenario);
        let before_bvpi = bvpi::evaluate(&s.model, &s.graph, &s.rules, &c.baseline)?;
        let after_bvpi = bvpi::evaluate(&s.model, &s.graph, &s.rules, &c.scenario)?;
        if let (Some(b), Some(a)) = (&before_bvpi, &after_bvpi) {
            w.bvpi157 = Some(BvpiChange::new(b, a));
        }
        results.push(w);
        runs.push(c.scenario);
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
    let text = what_if_text(s, file, o, results, &runs)?;
    Ok(match beside {
        None => text,
        Some(b) => match o.format {
            Format::Json => crate::report::simulate::with_field(&text, "simulation", &b),
            Format::Md => text + b.markdown().as_str(),
            _ => text + b.table().as_str(),
        },
    })
}

/// What-if's result in the chosen format, before any simulation is added.
fn what_if_text(
    s: &Session,
    file: Option<&std::path::Path>,
    o: &report::output::Output,
    mut results: Vec<WhatIf>,
    runs: &[Assessment],
) -> Result<String, Error> {
    let e = s.evaluated();
    if file.is_none() {
        let w = results.remove(0);
        return Ok(match o.format {
            Format::Md => what_if::markdown(&e, &w),
            Format::Csv => what_if::csv(&w),
            Format::Json => json::to_string(&WhatIfOut {
                what_if: w,
                model: ModelInfo::new(&s.model),
                rules: e.rules_info(),
            }),
            _ => what_if::table(&e, &w, o.colour),
        });
    }
    let mut c = Comparison::new(&e, results);
    c.baseline_bvpi157_percent =
        bvpi::evaluate(&s.model, &s.graph, &s.rules, &s.assessment)?.map(|f| f.percent_at_deadline);
    Ok(match o.format {
        Format::Md => what_if::comparison_markdown(&e, &c, runs),
        Format::Csv => what_if::comparison_csv(&e, &c, runs),
        Format::Json => json::to_string(&c),
        _ => what_if::comparison_table(&e, &c, runs),
    })
}

fn risk_report(
    s: &Session,
    file: Option<&std::path::Path>,
    format: Format,
    simulate: Option<u64>,
) -> Result<Rendered, Error> {
    let chosen = match file {
        Some(_) => s.scenarios(&[], file)?,
        None => Vec::new(),
    };
    let (m, g, r, a) = (&s.model, &s.graph, &s.rules, &s.assessment);
    let risk::Plan { actions, after } = risk::plan(m, g, r, a)?;
    let runs: Vec<Assessment> = s.compare_all(&chosen)?.into_iter().map(|c| c.scenario).collect();
    // A simulation of the forecast, when asked for: evidence for risk.rhai, and a section of
    // its own after the forecast's.
    let sim = match simulate {
        Some(n) => {
            let plan = crate::simulate::Plan::new(m, g, r, a)?;
            Some(plan.run(g, a, simulate_options(n, DEFAULT_SEED, None)))
        }
        None => None,
    };
    let forecasted = |assessment, sim| -> Result<Forecasted, Error> {
        Ok(Forecasted {
            e: Evaluated { model: m, graph: g, rules: r, assessment },
            scores: risk::score(m, g, r, assessment, sim)?,
        })
    };
    let mut scenarios = Vec::with_capacity(chosen.len());
    for (sc, run) in chosen.iter().zip(&runs) {
        scenarios.push((sc, forecasted(run, None)?));
    }
    let inputs = RiskInputs {
        baseline: forecasted(a, sim.as_ref())?,
        actions,
        after: forecasted(&after, None)?,
        scenarios,
        scenario_file: file.map(|f| f.display().to_string()),
        bvpi: bvpi::evaluate(m, g, r, a)?,
    };
    let simulated = match &sim {
        Some(sim) => crate::report::simulate::risk_blocks(&s.evaluated(), sim),
        None => Vec::new(),
    };
    let document = || {
        let mut doc = risk_report::document(&inputs);
        doc.blocks.extend(simulated.iter().cloned());
        doc
    };
    Ok(match format {
        Format::Json => Rendered::Text(json::to_string(&risk_report::RiskReportOut::new(&inputs))),
        Format::Html => Rendered::Text(risk_report::html_of(&inputs, document())),
        Format::Docx => Rendered::Bytes(report::docx::docx(&document())?),
        _ => Rendered::Text(document().markdown()),
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

/// The seed `simulate` uses unless told another.
const DEFAULT_SEED: u64 = 2005;

fn simulate_options(runs: u64, seed: u64, threads: Option<u64>) -> crate::simulate::Options {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    crate::simulate::Options {
        runs,
        seed,
        threads: threads.map_or(cores, |t| usize::try_from(t).unwrap_or(1)),
    }
}

/// A progress bar on standard error, only when it is a terminal and the runs will take more
/// than about a second.
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

fn simulate(
    s: &Session,
    options: crate::simulate::Options,
    format: Format,
    distributions: bool,
    calibration: bool,
) -> Result<String, Error> {
    use crate::report::simulate::{self as out, CalibrationOut, DistributionsOut, SimulateOut};
    let e = s.evaluated();
    let plan = crate::simulate::Plan::new(&s.model, &s.graph, &s.rules, &s.assessment)?;
    let fenced = |t: String| format!("```\n{t}```\n");
    if distributions {
        let d = DistributionsOut::new(&e, &plan);
        return Ok(match format {
            Format::Json => json::to_string(&d),
            Format::Csv => d.csv(),
            Format::Md => fenced(d.table()),
            _ => d.table(),
        });
    }
    if calibration {
        let c = CalibrationOut::new(&e, &plan.history);
        return Ok(match format {
            Format::Json => json::to_string(&c),
            Format::Csv => c.csv(),
            Format::Md => fenced(c.table()),
            _ => c.table(),
        });
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
    Ok(match format {
        Format::Json => json::to_string(&o),
        Format::Csv => out::csv(&o),
        Format::Md => out::markdown(&e, &o),
        _ => out::table(&e, &o),
    })
}
