//! The command line run: each command's arguments (`args`) turned into a request for the
//! library session, and its result handed to the render boundary. An arm computes nothing.

mod args;

pub use args::{Before, Cli, Command, Inputs, ModelArgs, Runs, StatusArg};

use std::cell::OnceCell;
use std::path::PathBuf;

use clap::ValueEnum;

use crate::report::render::Render;

use crate::assess::Standing;
use crate::diff;
use crate::error::{Diagnostic, Error};
use crate::model::Span;
use crate::model::{self, Source};
use crate::report::bvpi::BvpiReport;
use crate::report::check::{CheckReport, LoadedSummary};
use crate::report::critical_path::CriticalPaths;
use crate::report::diff::DiffReport;
use crate::report::explain::{ExplainReport, WithoutLine};
use crate::report::exposure::ExposureReport;
use crate::report::forecast::{self, ForecastReport};
use crate::report::graph::GraphOut;
use crate::report::ieg::{IegReport, IegReturn};
use crate::report::outcomes::OutcomesOut;
use crate::report::output::{Format, Stdout};
use crate::report::risk::RiskReport;
use crate::report::rollup::RollupReport;
use crate::report::ruletest::TestReport;
use crate::report::sensitivity::SensitivityReport;
use crate::report::simulate::{
    CalibrationOut, DistributionsOut, SimulateOut, SimulateReport, TemporalOut,
};
use crate::report::what_if::WhatIfReport;
use crate::report::{self, RulesInfo};
use crate::rules::Rules;
use crate::ruletest;
use crate::scenario::{self, Change};
use crate::session::Session;
use crate::simulate::{DEFAULT_SEED, Options};

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
        Command::Rollup { paths, .. } => out.extend(paths.iter().filter(|p| p.is_file()).cloned()),
        _ => {}
    }
    let versions: Vec<&PathBuf> = match &cli.command {
        Command::Diff { versions, .. } => versions.iter().collect(),
        Command::RiskReport { since: Some(f), .. } => vec![f],
        Command::Simulate { history, .. } => history.iter().collect(),
        _ => Vec::new(),
    };
    for v in versions {
        out.push(v.clone());
        out.extend(model::catalogue_path(v));
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
        "diff" => DiffReport::FORMATS,
        "test" => TestReport::FORMATS,
        "graph" => GraphOut::FORMATS,
        "rollup" => RollupReport::FORMATS,
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
\fB3\fR
rollup: the roll\-up was written, but some councils were left out (each is named on standard error with its file, line and column, and listed as left out in the output).
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

/// What a successful run prints, and its exit code.
#[derive(Debug)]
pub struct Done {
    /// What goes to standard output.
    pub stdout: Stdout,
    /// Warnings for standard error.
    pub stderr: String,
    /// Exit code: 0, or 1 when a `--fail-on` gate trips.
    pub code: u8,
}

impl Done {
    fn ok(stdout: impl Into<Stdout>) -> Self {
        Done { stdout: stdout.into(), stderr: String::new(), code: 0 }
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
            let warnings = crate::check::check(&s.evaluated());
            let summary = LoadedSummary::new(&s.model, &s.graph);
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
        Command::Forecast { out, fail_on, fail_on_stated, .. } => {
            let o = out.choose_for::<ForecastReport>("forecast", colour)?.reading(reading);
            let e = open()?.evaluated();
            let gate: Vec<Standing> = fail_on.iter().map(|st| st.standing()).collect();
            let tripped = forecast::gate(&e, &gate, *fail_on_stated);
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
            let r = s.outcome(code)?;
            let (without, searched) = s.without()?;
            let e = s.evaluated();
            let line = s.assessment.outcomes.iter().position(|x| x.node == r.node);
            let w =
                line.and_then(|i| without[i].as_ref()).map(|w| WithoutLine::new(&e, w, searched));
            Ok(Done::ok(o.emit(&ExplainReport::new(e, r, w))?))
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
        Command::RiskReport { out, scenario, simulate, since, .. } => {
            let o = out.choose_for::<RiskReport>("risk-report", colour)?.reading(reading);
            let s = open()?;
            let sim = simulate.map(|n| Options::new(n, DEFAULT_SEED, None));
            let run = s.risk(scenario.as_deref(), sim)?;
            let now = inputs
                .model
                .model
                .as_ref()
                .map_or("the embedded routemap".into(), |m| m.display().to_string());
            let rules = inputs.model.rules.as_deref();
            let since = since.as_deref().map(|f| diff::since(f, rules, s, &now)).transpose()?;
            Ok(Done::ok(o.emit(&RiskReport::new(s, &run, scenario.as_deref(), since))?))
        }
        Command::Diff { versions, out, .. } => {
            let o = out.choose_for::<DiffReport>("diff", colour)?.reading(reading);
            let opened = diff::open(versions, inputs.model.rules.as_deref())?;
            let views: Vec<diff::VersionRef> = opened.iter().map(diff::Version::view).collect();
            let d = diff::compare(&views)?;
            let rules = RulesInfo::of(&opened[0].session.rules);
            Ok(Done::ok(o.emit(&DiffReport { diff: &d, rules })?))
        }
        Command::Simulate {
            runs,
            seed,
            threads,
            distributions,
            calibration,
            assumptions,
            history,
            out,
            ..
        } => {
            let o = out.choose_for::<SimulateReport>("simulate", colour)?.reading(reading);
            let s = open()?;
            let n = match runs {
                Runs::Exactly(n) => *n,
                Runs::Auto => crate::simulate::AUTO_PILOT,
            };
            let options = Options::new(n, *seed, *threads);
            let auto = *runs == Runs::Auto;
            let what = What {
                auto,
                distributions: *distributions,
                calibration: *calibration,
                assumptions: *assumptions,
                history,
            };
            let report = simulate(s, options, what)?;
            Ok(Done::ok(o.emit(&report)?))
        }
        Command::Bvpi { slips, out, .. } => {
            let o = out.choose_for::<BvpiReport>("bvpi", colour)?.reading(reading);
            let s = open()?;
            let (slips, judged, f) = s.bvpi_with(slips)?;
            Ok(Done::ok(o.emit(&BvpiReport { e: s.on(&judged), f: &f, slips: &slips })?))
        }
        Command::IegReturn { dates, checkpoint, out, .. } => {
            let o = out.choose_for::<IegReport>("ieg-return", colour)?.reading(reading);
            let dates = crate::ieg::KeyDates::new(dates, *checkpoint)?;
            let s = open()?;
            let (positions, judged) = (s.ieg_positions()?, s.ieg_lights(&dates)?);
            let (f, e) = (s.bvpi(&s.assessment)?, s.evaluated());
            let r = IegReturn::new(&e, &positions, &judged, &dates, f.as_ref());
            Ok(Done::ok(o.emit(&IegReport { e, r })?))
        }
        Command::Test { filter, coverage, threshold, out, .. } => {
            let o = out.choose_for::<TestReport>("test", colour)?.reading(reading);
            let coverage = *coverage || threshold.is_some();
            let results =
                ruletest::run(inputs.model.rules.as_deref(), filter.as_deref(), coverage)?;
            let under = threshold.zip(results.total_percent()).is_some_and(|(t, p)| p < t);
            let code = u8::from(results.failed() > 0 || under);
            let o = o.also_reading(&results.model_files);
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
        Command::Rollup { paths, region, tier, simulate, seed, jobs, out, .. } => {
            let o = out.choose_for::<RollupReport>("rollup", colour)?.reading(reading);
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let request = crate::rollup::Request {
                paths: paths.clone(),
                rules: inputs.model.rules.clone(),
                as_of: inputs.as_of,
                regions: region.clone(),
                tiers: tier.clone(),
                simulate: *simulate,
                seed: *seed,
                jobs: jobs.map_or(cores, |j| usize::try_from(j).unwrap_or(1)),
            };
            let r = crate::rollup::run(&request)?;
            // Every council's model is kept from the output, those left out too.
            let models: Vec<PathBuf> = r
                .councils
                .iter()
                .map(|c| PathBuf::from(&c.model))
                .chain(r.left_out.iter().map(|l| PathBuf::from(&l.model)))
                .collect();
            let o = o.also_reading(&models);
            let report = RollupReport(&r);
            Ok(Done { stdout: o.emit(&report)?, stderr: report.stderr(), code: report.code() })
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

/// What `simulate` was asked for beyond its runs.
struct What<'a> {
    auto: bool,
    distributions: bool,
    calibration: bool,
    assumptions: bool,
    history: &'a [PathBuf],
}

fn simulate<'a>(s: &'a Session, options: Options, what: What) -> Result<SimulateReport<'a>, Error> {
    let What { auto, distributions, calibration, assumptions, history } = what;
    let e = s.evaluated();
    let (plan, temporal) = if history.is_empty() {
        (s.simulation_plan()?, None)
    } else {
        diff::simulation_plan(s, history)?
    };
    if distributions || calibration {
        return Ok(if distributions {
            SimulateReport::Distributions(DistributionsOut::new(&e, &plan))
        } else {
            let mut c = CalibrationOut::new(&e, &plan.history);
            c.temporal = temporal.as_ref().map(TemporalOut::new);
            SimulateReport::Calibration(c)
        });
    }
    let bar = progress(options);
    let tick = |done| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let run = s.simulate_all(&plan, options, auto, assumptions, &tick);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut out = SimulateOut::new(&e, &plan, &run.sim);
    for (event, without, mitigated) in &run.events {
        out.add_event(&e, event, &run.sim, without, mitigated.as_ref());
    }
    for (v, varied) in &run.varied {
        out.add_variation(&v.words(), varied);
    }
    Ok(SimulateReport::Runs(e, out))
}
