//! The command line as clap reads it: the arguments of every command, and their conversion into
//! what a command reads ([`Cli::inputs`]). Nothing here computes; `cli` dispatches.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::assess::Standing;
use crate::error::{Diagnostic, Error};
use crate::model;
use crate::report::output::{ColorChoice, OutputArgs};
use crate::simulate::DEFAULT_SEED;

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
            Command::Test { rules, .. } | Command::Diff { rules, .. } => {
                let model = ModelArgs { model: None, rules: rules.clone() };
                (Inputs { model, as_of: None }, false, false)
            }
            Command::Rollup { rules, as_of, .. } => {
                let model = ModelArgs { model: None, rules: rules.clone() };
                (Inputs { model, as_of: *as_of }, false, true)
            }
            Command::Completions { .. } | Command::Man => (Inputs::default(), false, false),
        };
        let b = &self.before;
        if let Command::Diff { .. } = self.command
            && (b.model.is_some() || b.as_of.is_some())
        {
            return Err(Diagnostic::new("`routemap diff` takes no --model or --as-of")
                .help("name the versions' model files after the command, oldest first; each is judged on its own issue date")
                .into());
        }
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
        after_help = "Examples:\n  routemap forecast\n  routemap forecast -o dashboard.html\n  routemap forecast --fail-on off_track,unknown --format json\n  routemap forecast --fail-on off_track --fail-on-stated"
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
        /// With --fail-on: count only verdicts on the council's own dates (basis stated or
        /// derived), not those that rest on a rule's assumption.
        #[arg(long, requires = "fail_on")]
        fail_on_stated: bool,
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
    /// Slip each project, and each task an outcome waits on, in turn; rank them by the smallest
    /// slip that does damage, then the damage there (Required and Good outcomes made worse,
    /// funding exposure, days of delay).
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
        /// An earlier version's model file: add a "Progress since" section (completed work,
        /// moved targets, outcomes that changed status and why), as `routemap diff` finds them.
        #[arg(long, value_name = "FILE")]
        since: Option<PathBuf>,
    },
    /// Monte Carlo deadline risk: each outcome's chance of meeting its deadline, its P50, P80
    /// and P95 dates, and what drives the spread, from slip distributions learnt from the
    /// routemap's own original and proposed targets (rules/simulate.rhai may override them).
    #[command(after_help = "Examples:\n  \
        routemap simulate\n  \
        routemap simulate --runs 100000 --seed 7 --format json\n  \
        routemap simulate --runs auto       # until every headline probability is within half a point\n  \
        routemap simulate --distributions   # the learnt distributions and their evidence\n  \
        routemap simulate --calibration     # scored on routemaps from known slip processes")]
    Simulate {
        /// How many runs (1 to 100,000,000), or `auto`: until every headline probability's
        /// standard error is at most half a point (at most 1,000,000 runs).
        #[arg(long, value_name = "N|auto", default_value = "10000", value_parser = parse_runs)]
        runs: Runs,
        /// The seed: the same seed gives the same output, whatever the thread count.
        #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Threads (default: the available cores).
        #[arg(long, value_name = "T", value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: Option<u64>,
        /// Print what the routemap's targets say by kind of work (the probability a target is
        /// missed, and missed again, with intervals; how late a missed target finishes), the
        /// evidence and the work using it, instead of simulating.
        #[arg(long, conflicts_with = "calibration")]
        distributions: bool,
        /// Score the method on routemaps generated from known slip processes (coverage of P50
        /// and P80, Brier score, beside a learner that ignores censoring, which must fail), then
        /// hold each of this routemap's resolved targets out and predict it from the rest,
        /// instead of simulating.
        #[arg(long)]
        calibration: bool,
        /// Also run the simulation under each of its assumptions varied across its plausible
        /// range (common factor 0 and 1, the spread of assumed dates halved and doubled, every
        /// learnt P(miss) at each end of its interval) and report the range of the headline.
        #[arg(long, conflicts_with_all = ["distributions", "calibration"])]
        assumptions: bool,
        /// Earlier versions of the routemap (model files, in any order, each issued before it):
        /// the targets that moved between dated versions are learnt from too, and
        /// `--calibration` adds the temporal hold-out (learnt up to the version before the
        /// last, predicting the last). See docs/versions.md.
        #[arg(long, value_name = "FILE", num_args = 1..)]
        history: Vec<PathBuf>,
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
    /// The priority-outcome self-assessment of the IEG return: each outcome's traffic light at
    /// each key date (rules/ieg.rhai; black where the council does not deliver it), a Good
    /// outcome's December 2005 checkpoint, its position in the return's words, its expected date
    /// and the evidence with the basis of each judgement, with the BVPI 157 figure and forecast.
    /// CSV by default.
    #[command(
        name = "ieg-return",
        after_help = "Examples:\n  routemap ieg-return > ieg-return.csv\n  routemap ieg-return --dates 2005-07-31,2005-12-31 -o return.docx\n  routemap ieg-return --format md"
    )]
    IegReturn {
        /// The return's key dates, comma-separated: a light for each outcome on each (those on
        /// or before the as-of date are recorded, later ones forecast). Default:
        /// 2005-03-31,2005-07-31,2005-12-31,2006-03-31.
        #[arg(long, value_name = "DATE,...", value_delimiter = ',', value_parser = parse_date)]
        dates: Vec<NaiveDate>,
        /// The date the Good outcomes are judged "approved and in active implementation" on.
        /// Default: 2005-12-31.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        checkpoint: Option<NaiveDate>,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// The model, the rules and the date.
        #[command(flatten)]
        inputs: Inputs,
    },
    /// What changed between versions of a routemap: targets moved (by how much), statuses
    /// changed, work completed, added, removed, renumbered or reworded, dependencies added and
    /// removed; then what that did to each outcome (status, forecast and basis before and after,
    /// and the change that moved it), to the grant at risk and to BVPI 157. With three versions
    /// or more, each outcome's status at each version and the work that slipped at every update.
    /// Each version is judged on its own issue date.
    #[command(after_help = "Examples:\n  \
        routemap diff v2.yaml v3.yaml\n  \
        routemap diff v1.yaml v2.yaml v3.yaml -o changes.html\n  \
        routemap diff v2.yaml v3.yaml --format csv > changes.csv")]
    Diff {
        /// The versions' model files, oldest first (two or more).
        #[arg(value_name = "VERSION", num_args = 2.., required = true)]
        versions: Vec<PathBuf>,
        /// A directory of rule scripts replacing the embedded ones by name, for every version.
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
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
        /// Only the critical edges (each outcome's driving chain) and their nodes; with no code,
        /// the chains of the outcomes that need attention (at risk, off track, not forecast).
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
    /// Where a partnership or the country stands: many councils' routemaps (model files,
    /// directories of them, or a manifest naming each council's model, name, tier, region and
    /// rules), each judged on its own, in parallel; how every outcome stands across them, each
    /// council's counts and rank, what holds councils up, the grant at risk. A council that
    /// fails is left out, located, and the rest rolled up (exit code 3).
    #[command(after_help = "Examples:\n  \
        routemap rollup fixtures/partnership/manifest.yaml\n  \
        routemap rollup councils/ --region \"East Midlands\" --tier district\n  \
        routemap rollup fixtures/partnership/manifest.yaml --simulate 10000 -o dashboard.html")]
    Rollup {
        /// Council model files (.yaml, .yml, .json), directories of them, or manifests (YAML
        /// with `councils:`; see docs/rollup.md).
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Only the councils a manifest places in this region (any case; repeatable).
        #[arg(long, value_name = "REGION")]
        region: Vec<String>,
        /// Only councils of this tier: district, county, unitary, metropolitan or
        /// london_borough (comma-separated or repeated).
        #[arg(long, value_name = "TIER", value_delimiter = ',', value_parser = parse_tier)]
        tier: Vec<model::Tier>,
        /// Simulate each council this many runs (see `routemap simulate`): its P(every Required
        /// outcome achieved) and expected misses, and the distribution of the number of
        /// councils achieving every Required outcome.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
        simulate: Option<u64>,
        /// The simulation's seed: each council's runs are those `routemap simulate --seed S`
        /// gives it.
        #[arg(long, value_name = "S", default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Councils judged at once (default: the available cores); the output is the same
        /// whatever the number.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1024))]
        jobs: Option<u64>,
        /// Where the result goes, and in which format.
        #[command(flatten)]
        out: OutputArgs,
        /// Rules for every council whose manifest entry names none (default: the embedded
        /// rules).
        #[arg(long, value_name = "DIR")]
        rules: Option<PathBuf>,
        /// Judge every council on this date (YYYY-MM-DD) instead of its own.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
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
    /// not_applicable
    #[value(name = "not_applicable", alias = "not-applicable")]
    NotApplicable,
}

impl StatusArg {
    /// The status it names.
    pub fn standing(self) -> Standing {
        match self {
            StatusArg::Achieved => Standing::Achieved,
            StatusArg::OnTrack => Standing::OnTrack,
            StatusArg::AtRisk => Standing::AtRisk,
            StatusArg::OffTrack => Standing::OffTrack,
            StatusArg::Unknown => Standing::Unknown,
            StatusArg::NotApplicable => Standing::NotApplicable,
        }
    }
}

/// `--runs`: a number of runs, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runs {
    /// This many.
    Exactly(u64),
    /// Until the standard errors are small enough.
    Auto,
}

fn parse_runs(s: &str) -> Result<Runs, String> {
    if s.trim().eq_ignore_ascii_case("auto") {
        return Ok(Runs::Auto);
    }
    match s.trim().parse::<u64>() {
        Ok(n) if (1..=100_000_000).contains(&n) => Ok(Runs::Exactly(n)),
        _ => Err(format!("`{s}` is not a number of runs from 1 to 100000000, or `auto`")),
    }
}

fn parse_tier(s: &str) -> Result<model::Tier, String> {
    crate::rollup::tier(s).ok_or_else(|| {
        format!("`{s}` is not a kind of council: district, county, unitary, metropolitan or london_borough")
    })
}

fn parse_percent(s: &str) -> Result<f64, String> {
    s.trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| format!("`{s}` is not a percentage: expected a number from 0 to 100"))
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    model::target::parse_date(s).map_err(|e| match e {
        model::target::DateProblem::NotADate => {
            format!("`{s}` is not a date: expected YYYY-MM-DD, such as 2005-09-30")
        }
        model::target::DateProblem::Year(message, help) => format!("{message}: {help}"),
    })
}
