//! `routemap rollup`: many councils' positions as a table, JSON, CSV (a row per council),
//! Markdown, and an HTML national dashboard (a councils × outcomes heat map, the status bars per
//! outcome, the kinds of work that hold councils up) that prints on A4 landscape.

use chrono::NaiveDate;
use serde::Serialize;

use super::escape;
use super::output::{Format, Rendered};
use super::render::{self, Render, Terminal, not_written};
use super::standing::{self, status_words};
use super::text::{self, cell};
use crate::assess::{DateBasis, Standing};
use crate::error::{Diagnostic, Error};
use crate::model::Category;
use crate::rollup::{Blocker, Council, LeftOut, OutcomeTally, Rollup, standing_index};

/// The exit code of a roll-up written without every council: some were left out.
pub const LEFT_OUT_EXIT: u8 = 3;

/// Councils by standing, as JSON writes them.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    /// Achieved.
    pub achieved: usize,
    /// On track.
    pub on_track: usize,
    /// At risk.
    pub at_risk: usize,
    /// Off track.
    pub off_track: usize,
    /// Unknown.
    pub unknown: usize,
    /// Not applicable.
    pub not_applicable: usize,
}

impl Counts {
    fn of(c: [usize; 6]) -> Counts {
        Counts {
            achieved: c[0],
            on_track: c[1],
            at_risk: c[2],
            off_track: c[3],
            unknown: c[4],
            not_applicable: c[5],
        }
    }

    fn array(self) -> [usize; 6] {
        [
            self.achieved,
            self.on_track,
            self.at_risk,
            self.off_track,
            self.unknown,
            self.not_applicable,
        ]
    }
}

/// Verdicts by basis.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BasisCounts {
    /// On the council's own targets.
    pub stated: usize,
    /// Set through the graph by its own targets.
    pub derived: usize,
    /// Resting on a rule's assumption.
    pub assumed: usize,
}

/// The JSON contract of `routemap rollup --format json` (docs/json.md, docs/rollup.md).
#[derive(Debug, Clone, Serialize)]
pub struct RollupOut {
    /// Councils rolled up.
    pub councils_rolled_up: usize,
    /// Councils left out (their model, manifest entry or rules failed).
    pub councils_left_out: usize,
    /// Councils judged but outside `--region` or `--tier`.
    pub councils_filtered_out: usize,
    /// The filters.
    pub filters: Filters,
    /// `--as-of`, when every council was judged on one date.
    pub as_of: Option<NaiveDate>,
    /// The totals.
    pub totals: Totals,
    /// Every outcome: councils by status and basis.
    pub outcomes: Vec<OutcomeLine>,
    /// Every council rolled up, by name.
    pub councils: Vec<CouncilLine>,
    /// What holds councils up.
    pub holding_up: HoldingUp,
    /// With `--simulate`.
    pub simulation: Option<SimulationOut>,
    /// The councils left out, by model file.
    pub left_out: Vec<LeftOutLine>,
    /// The kinds of work recognised, first match wins.
    pub kinds_of_work: Vec<KindLine>,
}

/// `--region` and `--tier`.
#[derive(Debug, Clone, Serialize)]
pub struct Filters {
    /// Regions kept (empty: all).
    pub regions: Vec<String>,
    /// Tiers kept (empty: all).
    pub tiers: Vec<String>,
}

/// The totals.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Councils whose every Required outcome that applies is achieved or on track.
    pub all_required_expected: usize,
    /// IEG grant at risk across the councils.
    pub grant_at_risk_gbp: u64,
    /// IEG grant in their funding streams.
    pub grant_total_gbp: u64,
    /// Required verdicts across councils, by status.
    pub required: Counts,
    /// Good verdicts across councils, by status.
    pub good: Counts,
}

/// One outcome across councils.
#[derive(Debug, Clone, Serialize)]
pub struct OutcomeLine {
    /// `R8`.
    pub code: String,
    /// `required` or `good`.
    pub category: Category,
    /// Its title.
    pub title: String,
    /// Councils by status.
    pub counts: Counts,
    /// Of those, the verdicts resting on a rule's assumption.
    pub assumed: Counts,
    /// Verdicts by basis (not applicable left out).
    pub basis: BasisCounts,
    /// Councils whose routemap has no work serving it (not applicable left out): their
    /// verdicts are the rules' for an outcome not in the routemap.
    pub not_in_routemap: usize,
}

/// One council.
#[derive(Debug, Clone, Serialize)]
pub struct CouncilLine {
    /// 1 the best (see docs/rollup.md); councils level share a rank.
    pub rank: usize,
    /// Its name.
    pub name: String,
    /// Its model file.
    pub model: String,
    /// Its tier, or null.
    pub tier: Option<String>,
    /// Its region, or null.
    pub region: Option<String>,
    /// The date it was judged on.
    pub as_of: NaiveDate,
    /// Required outcomes by status.
    pub required: Counts,
    /// Good outcomes by status.
    pub good: Counts,
    /// Whether every Required outcome that applies is achieved or on track.
    pub all_required_expected: bool,
    /// BVPI 157 on its deadline, or null without the table.
    pub bvpi157: Option<BvpiLine>,
    /// IEG grant at risk.
    pub exposure_gbp: u64,
    /// IEG grant in its funding streams.
    pub funding_gbp: u64,
    /// Its outcomes off track or at risk and what holds each up.
    pub holds: Vec<HoldLine>,
    /// With `--simulate`.
    pub simulation: Option<CouncilSimLine>,
    /// The model's hash.
    pub model_hash: String,
    /// The rules' hash.
    pub rules_hash: String,
}

/// BVPI 157 on its deadline.
#[derive(Debug, Clone, Serialize)]
pub struct BvpiLine {
    /// The percentage forecast e-enabled.
    pub forecast_percent: u32,
    /// The target.
    pub target_percent: u32,
}

/// An outcome held up.
#[derive(Debug, Clone, Serialize)]
pub struct HoldLine {
    /// `R8`.
    pub code: String,
    /// `off_track` or `at_risk`.
    pub status: Standing,
    /// The named projects on its driving chain, root cause first.
    pub projects: Vec<String>,
    /// The kinds of the unfinished work on its chain.
    pub kinds: Vec<String>,
}

/// A council's simulation.
#[derive(Debug, Clone, Serialize)]
pub struct CouncilSimLine {
    /// P(every Required outcome that applies meets its deadline).
    pub p_all_required: f64,
    /// Expected Required outcomes missing their deadline.
    pub expected_misses: f64,
    /// Its standard error.
    pub expected_misses_se: f64,
}

/// What holds councils up.
#[derive(Debug, Clone, Serialize)]
pub struct HoldingUp {
    /// Kinds of work, most councils first.
    pub kinds: Vec<BlockerLine>,
    /// Named projects (by slug), most councils first.
    pub projects: Vec<BlockerLine>,
}

/// A kind of work or a named project, across councils.
#[derive(Debug, Clone, Serialize)]
pub struct BlockerLine {
    /// The kind, or the project's slug.
    pub id: String,
    /// The project's title (the kind again, for a kind).
    pub title: String,
    /// Councils with an outcome it holds up.
    pub councils: usize,
    /// Outcomes off track it holds up.
    pub off_track: usize,
    /// Outcomes at risk it holds up.
    pub at_risk: usize,
    /// Required outcomes among them.
    pub required: usize,
}

/// The simulation across councils.
#[derive(Debug, Clone, Serialize)]
pub struct SimulationOut {
    /// Runs per council.
    pub runs: u64,
    /// The seed.
    pub seed: u64,
    /// The expected number of councils achieving every Required outcome.
    pub expected_councils: f64,
    /// Its standard deviation (councils independent).
    pub sd: f64,
    /// 10th percentile.
    pub p10: usize,
    /// Median.
    pub p50: usize,
    /// 90th percentile.
    pub p90: usize,
    /// P(exactly `councils` councils achieve every Required outcome), for every count.
    pub distribution: Vec<Point>,
}

/// One point of the distribution.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// A number of councils.
    pub councils: usize,
    /// Its probability.
    pub p: f64,
}

/// A council left out.
#[derive(Debug, Clone, Serialize)]
pub struct LeftOutLine {
    /// Its model file.
    pub model: String,
    /// Its name, where a manifest gives one.
    pub name: Option<String>,
    /// Its tier, where a manifest gives one.
    pub tier: Option<String>,
    /// Its region, where a manifest gives one.
    pub region: Option<String>,
    /// What is wrong, each problem with its place.
    pub errors: Vec<ProblemLine>,
}

/// One problem of a council left out.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemLine {
    /// What is wrong.
    pub message: String,
    /// `file:line:col`, or the file alone where there is no line.
    pub at: String,
    /// The file.
    pub file: Option<String>,
    /// 1-based line.
    pub line: Option<usize>,
    /// 1-based column.
    pub column: Option<usize>,
    /// How to fix it.
    pub help: Option<String>,
}

/// A kind of work and its words.
#[derive(Debug, Clone, Serialize)]
pub struct KindLine {
    /// Its name.
    pub kind: String,
    /// The words that mark it.
    pub words: Vec<String>,
}

fn basis_counts(b: [usize; 3]) -> BasisCounts {
    let at = |x: DateBasis| b[DateBasis::ALL.iter().position(|y| *y == x).unwrap_or(0)];
    BasisCounts {
        stated: at(DateBasis::Stated),
        derived: at(DateBasis::Derived),
        assumed: at(DateBasis::Assumed),
    }
}

fn category_counts(c: &Council, category: Category) -> Counts {
    let mut out = [0usize; 6];
    for s in Standing::ALL {
        out[standing_index(s)] = c.count(category, s);
    }
    Counts::of(out)
}

fn blocker(b: &Blocker) -> BlockerLine {
    BlockerLine {
        id: b.id.clone(),
        title: b.title.clone(),
        councils: b.councils,
        off_track: b.off_track,
        at_risk: b.at_risk,
        required: b.required,
    }
}

fn problem(d: &Diagnostic, model: &str) -> ProblemLine {
    let loc = d.location.as_deref();
    ProblemLine {
        message: d.message.clone(),
        at: match loc {
            Some(l) => format!("{}:{}:{}", l.file, l.line, l.column),
            None => model.to_string(),
        },
        file: loc.map(|l| l.file.clone()),
        line: loc.map(|l| l.line),
        column: loc.map(|l| l.column),
        help: d.help.clone(),
    }
}

fn left_out_line(l: &LeftOut) -> LeftOutLine {
    LeftOutLine {
        model: l.model.clone(),
        name: l.name.clone(),
        tier: l.tier.map(|t| t.as_str().to_string()),
        region: l.region.clone(),
        errors: l.error.diagnostics.iter().map(|d| problem(d, &l.model)).collect(),
    }
}

impl RollupOut {
    /// The output struct of a roll-up.
    pub fn new(r: &Rollup) -> RollupOut {
        let ranks = r.ranks();
        let outcomes: Vec<OutcomeLine> = r
            .outcomes()
            .into_iter()
            .map(|t: OutcomeTally| OutcomeLine {
                code: t.code,
                category: t.category,
                title: t.title,
                counts: Counts::of(t.counts),
                assumed: Counts::of(t.assumed),
                basis: basis_counts(t.basis),
                not_in_routemap: t.not_in_routemap,
            })
            .collect();
        let sum = |category: Category| {
            let mut total = [0usize; 6];
            for o in outcomes.iter().filter(|o| o.category == category) {
                for (t, n) in total.iter_mut().zip(o.counts.array()) {
                    *t += n;
                }
            }
            Counts::of(total)
        };
        let (at_risk, total) = r.grant();
        let councils = r
            .councils
            .iter()
            .zip(&ranks)
            .map(|(c, rank)| CouncilLine {
                rank: *rank,
                name: c.name.clone(),
                model: c.model.clone(),
                tier: c.tier.map(|t| t.as_str().to_string()),
                region: c.region.clone(),
                as_of: c.as_of,
                required: category_counts(c, Category::Required),
                good: category_counts(c, Category::Good),
                all_required_expected: c.all_required(),
                bvpi157: c.bvpi.map(|(f, t)| BvpiLine { forecast_percent: f, target_percent: t }),
                exposure_gbp: c.exposure_gbp,
                funding_gbp: c.funding_gbp,
                holds: c
                    .holds
                    .iter()
                    .map(|h| HoldLine {
                        code: h.code.clone(),
                        status: h.standing,
                        projects: h.projects.iter().map(|p| p.0.clone()).collect(),
                        kinds: h.kinds.clone(),
                    })
                    .collect(),
                simulation: c.simulation.map(|s| CouncilSimLine {
                    p_all_required: s.p_all_required,
                    expected_misses: s.expected_misses,
                    expected_misses_se: s.expected_misses_se,
                }),
                model_hash: c.model_hash.clone(),
                rules_hash: c.rules_hash.clone(),
            })
            .collect();
        let simulation = r.national.as_ref().map(|n| SimulationOut {
            runs: r.request.simulate.unwrap_or(0),
            seed: r.request.seed,
            expected_councils: n.mean,
            sd: n.sd,
            p10: n.p10,
            p50: n.p50,
            p90: n.p90,
            distribution: n
                .pmf
                .iter()
                .enumerate()
                .map(|(k, p)| Point { councils: k, p: *p })
                .collect(),
        });
        RollupOut {
            councils_rolled_up: r.councils.len(),
            councils_left_out: r.left_out.len(),
            councils_filtered_out: r.filtered_out,
            filters: Filters {
                regions: r.request.regions.clone(),
                tiers: r.request.tiers.iter().map(|t| t.as_str().to_string()).collect(),
            },
            as_of: r.request.as_of,
            totals: Totals {
                all_required_expected: r.all_required(),
                grant_at_risk_gbp: at_risk,
                grant_total_gbp: total,
                required: sum(Category::Required),
                good: sum(Category::Good),
            },
            outcomes,
            councils,
            holding_up: HoldingUp {
                kinds: r.kinds_holding().iter().map(blocker).collect(),
                projects: r.projects_holding().iter().map(blocker).collect(),
            },
            simulation,
            left_out: r.left_out.iter().map(left_out_line).collect(),
            kinds_of_work: r
                .kinds
                .iter()
                .map(|k| KindLine { kind: k.kind.clone(), words: k.words.clone() })
                .collect(),
        }
    }
}

fn percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

fn ok_of(counts: &Counts) -> String {
    let applies = counts.array()[..5].iter().sum::<usize>();
    format!("{}/{applies}", counts.achieved + counts.on_track)
}

fn bvpi_words(b: Option<&BvpiLine>) -> String {
    b.map_or("-".to_string(), |b| format!("{}% ({}%)", b.forecast_percent, b.target_percent))
}

fn as_of_words(x: &RollupOut) -> String {
    if let Some(d) = x.as_of {
        return format!("every council judged on {}", text::long_date(d));
    }
    let first = x.councils.iter().map(|c| c.as_of).min();
    let last = x.councils.iter().map(|c| c.as_of).max();
    match (first, last) {
        (Some(a), Some(b)) if a == b => format!("judged on their own date, {}", text::long_date(a)),
        (Some(a), Some(b)) => {
            format!("each judged on its own date, {} to {}", text::long_date(a), text::long_date(b))
        }
        _ => String::new(),
    }
}

fn headline(x: &RollupOut) -> String {
    let plural = |n: usize| if n == 1 { "council" } else { "councils" };
    let mut out = format!("Roll-up of {} {}", x.councils_rolled_up, plural(x.councils_rolled_up));
    if x.councils_left_out > 0 {
        out.push_str(&format!(" ({} left out)", x.councils_left_out));
    }
    if !x.filters.regions.is_empty() || !x.filters.tiers.is_empty() {
        let mut kept: Vec<String> = x.filters.regions.clone();
        kept.extend(x.filters.tiers.iter().cloned());
        out.push_str(&format!(", {} only", kept.join(", ")));
    }
    out.push_str(&format!(": {}", as_of_words(x)));
    out
}

fn totals_lines(x: &RollupOut) -> Vec<String> {
    let t = &x.totals;
    let mut out = vec![
        format!(
            "Councils expected to achieve every Required outcome: {} of {}",
            t.all_required_expected, x.councils_rolled_up
        ),
        format!(
            "IEG grant at risk: {} of {}",
            text::gbp(t.grant_at_risk_gbp),
            text::gbp(t.grant_total_gbp)
        ),
    ];
    if let Some(s) = &x.simulation {
        out.push(format!(
            "Simulated ({} runs a council, seed {}): councils achieving every Required outcome: expected {:.1} (sd {:.1}); P10 {}, P50 {}, P90 {}",
            s.runs, s.seed, s.expected_councils, s.sd, s.p10, s.p50, s.p90
        ));
    }
    out
}

fn standing_pairs(c: &Counts) -> Vec<(Standing, usize)> {
    Standing::ALL.iter().copied().zip(c.array()).collect()
}

const RANK_NOTE: &str = "Rank: 1 is the best: the most Required outcomes that apply achieved or on track (as a share), then Good outcomes likewise, then the least grant at risk.";

const EXIT_NOTE: &str = "The councils left out are not in any count above; the command exits with code 3 when any council is left out.";

fn blocker_rows(rows: &[BlockerLine], project: bool) -> Vec<Vec<String>> {
    rows.iter()
        .map(|b| {
            let mut row = vec![b.id.clone()];
            if project {
                row.push(b.title.clone());
            }
            row.extend([
                b.councils.to_string(),
                b.off_track.to_string(),
                b.at_risk.to_string(),
                b.required.to_string(),
            ]);
            row
        })
        .collect()
}

/// The councils table: best first (rank, then name); tier and region last, as the columns a
/// narrow terminal can spare.
fn council_rows(x: &RollupOut) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let sim = x.simulation.is_some();
    let mut headers =
        vec!["rank", "council", "Required ok", "off track", "Good ok", "grant at risk"];
    if sim {
        headers.extend(["P(all Required)", "expected misses"]);
    }
    headers.extend(["BVPI 157", "tier", "region"]);
    let mut councils: Vec<&CouncilLine> = x.councils.iter().collect();
    councils.sort_by(|a, b| (a.rank, &a.name).cmp(&(b.rank, &b.name)));
    let rows = councils
        .iter()
        .map(|c| {
            let mut row = vec![
                c.rank.to_string(),
                c.name.clone(),
                ok_of(&c.required),
                c.required.off_track.to_string(),
                ok_of(&c.good),
                text::gbp(c.exposure_gbp),
            ];
            if let Some(s) = &c.simulation {
                row.push(percent(s.p_all_required));
                row.push(format!("{:.2}", s.expected_misses));
            } else if sim {
                row.extend([String::new(), String::new()]);
            }
            row.extend([
                bvpi_words(c.bvpi157.as_ref()),
                c.tier.clone().unwrap_or_default(),
                c.region.clone().unwrap_or_default(),
            ]);
            row
        })
        .collect();
    (headers, rows)
}

const OUTCOME_HEADERS: [&str; 10] = [
    "code",
    "achieved",
    "on track",
    "at risk",
    "off track",
    "unknown",
    "n/a",
    "assumed",
    "not in routemap",
    "title",
];

fn outcome_rows(x: &RollupOut) -> Vec<Vec<String>> {
    x.outcomes
        .iter()
        .map(|o| {
            let mut row = vec![o.code.clone()];
            row.extend(o.counts.array().iter().map(|n| n.to_string()));
            row.push(o.basis.assumed.to_string());
            row.push(o.not_in_routemap.to_string());
            row.push(o.title.clone());
            row
        })
        .collect()
}

fn left_out_rows(x: &RollupOut) -> Vec<Vec<String>> {
    x.left_out
        .iter()
        .flat_map(|l| {
            l.errors.iter().map(move |e| vec![l.model.clone(), e.at.clone(), e.message.clone()])
        })
        .collect()
}

/// The table for people.
fn table(x: &RollupOut, t: &Terminal) -> String {
    let plain = |rows: Vec<Vec<String>>| -> Vec<Vec<(String, String)>> {
        rows.into_iter().map(|r| r.into_iter().map(cell).collect()).collect()
    };
    let mut head = format!("{}\n\n", t.colour.strong(&headline(x)));
    for line in totals_lines(x) {
        head.push_str(&format!("  {line}\n"));
    }
    head.push_str(&format!(
        "  Required verdicts: {}\n  Good verdicts: {}\n",
        text::counts_line(&standing_pairs(&x.totals.required), t.colour),
        text::counts_line(&standing_pairs(&x.totals.good), t.colour)
    ));
    head.push_str(
        "\nOutcomes: councils by status (assumed: verdicts resting on a rule's assumption; not in routemap: councils whose routemap has no work for it, judged by the rules' verdict for such an outcome)\n",
    );
    let mut out = text::wrap_lines(&head, t.width);
    out.push_str(&text::table(t, &OUTCOME_HEADERS, &plain(outcome_rows(x))));
    out.push_str("\nCouncils\n");
    let (headers, rows) = council_rows(x);
    out.push_str(&text::table_fitted(t, &headers, &plain(rows)));
    out.push_str(&format!("{RANK_NOTE}\n"));
    out.push_str("\nWhat holds councils up: kinds of work on the driving chains of outcomes off track or at risk\n");
    if x.holding_up.kinds.is_empty() {
        out.push_str("  nothing: no outcome is off track or at risk\n");
    } else {
        out.push_str(&text::table(
            t,
            &["kind of work", "councils", "off track", "at risk", "Required"],
            &plain(blocker_rows(&x.holding_up.kinds, false)),
        ));
        out.push_str("\nNamed projects\n");
        out.push_str(&text::table(
            t,
            &["project", "title", "councils", "off track", "at risk", "Required"],
            &plain(blocker_rows(&x.holding_up.projects, true)),
        ));
    }
    if !x.left_out.is_empty() {
        // Lines rather than a table, so that no place is cut to fit the width.
        out.push_str(&format!("\nLeft out: {}\n", x.left_out.len()));
        for row in left_out_rows(x) {
            out.push_str(&format!("  - {}: {}\n", row[1], row[2]));
        }
        out.push_str(&format!("{EXIT_NOTE}\n"));
    }
    text::wrap(&out, t.width)
}

/// The same as Markdown.
fn markdown(x: &RollupOut) -> String {
    let mut out = format!("# {}\n\n", escape::markdown(&headline(x), true));
    for line in totals_lines(x) {
        out.push_str(&format!("- {}\n", escape::markdown(&line, false)));
    }
    let words = |c: &Counts| text::counts_line(&standing_pairs(c), render::Colour::Off);
    out.push_str(&format!(
        "- Required verdicts: {}\n- Good verdicts: {}\n",
        words(&x.totals.required),
        words(&x.totals.good)
    ));
    out.push_str("\n## Outcomes\n\nCouncils by status; *assumed*: verdicts resting on a rule's assumption; *not in routemap*: councils whose routemap has no work for it, judged by the rules' verdict for such an outcome.\n\n");
    out.push_str(&text::markdown(&OUTCOME_HEADERS, &outcome_rows(x)));
    out.push_str("\n## Councils\n\n");
    let (headers, rows) = council_rows(x);
    out.push_str(&text::markdown(&headers, &rows));
    out.push_str(&format!("\n{RANK_NOTE}\n"));
    out.push_str("\n## What holds councils up\n\nKinds of work on the driving chains of outcomes off track or at risk:\n\n");
    out.push_str(&text::markdown(
        &["Kind of work", "Councils", "Off track", "At risk", "Required"],
        &blocker_rows(&x.holding_up.kinds, false),
    ));
    out.push_str("\nNamed projects:\n\n");
    out.push_str(&text::markdown(
        &["Project", "Title", "Councils", "Off track", "At risk", "Required"],
        &blocker_rows(&x.holding_up.projects, true),
    ));
    if !x.left_out.is_empty() {
        out.push_str(&format!("\n## Left out ({})\n\n", x.left_out.len()));
        out.push_str(&text::markdown(&["Model", "At", "Problem"], &left_out_rows(x)));
        out.push_str(&format!("\n{EXIT_NOTE}\n"));
    }
    out
}

/// CSV: one row per council, rolled up or left out.
fn csv(x: &RollupOut) -> String {
    let mut headers = vec!["rank", "council", "model", "tier", "region", "included", "as_of"];
    let names = ["achieved", "on_track", "at_risk", "off_track", "unknown", "not_applicable"];
    let required: Vec<String> = names.iter().map(|n| format!("required_{n}")).collect();
    let good: Vec<String> = names.iter().map(|n| format!("good_{n}")).collect();
    headers.extend(required.iter().map(String::as_str));
    headers.extend(good.iter().map(String::as_str));
    headers.extend([
        "all_required_expected",
        "bvpi157_forecast_percent",
        "bvpi157_target_percent",
        "exposure_gbp",
        "funding_gbp",
        "p_all_required",
        "expected_misses",
        "left_out_at",
        "left_out_problem",
    ]);
    let mut rows: Vec<Vec<String>> = x
        .councils
        .iter()
        .map(|c| {
            let mut row = vec![
                c.rank.to_string(),
                c.name.clone(),
                c.model.clone(),
                c.tier.clone().unwrap_or_default(),
                c.region.clone().unwrap_or_default(),
                "true".into(),
                c.as_of.to_string(),
            ];
            row.extend(c.required.array().iter().map(|n| n.to_string()));
            row.extend(c.good.array().iter().map(|n| n.to_string()));
            row.extend([
                c.all_required_expected.to_string(),
                text::or_blank(c.bvpi157.as_ref().map(|b| b.forecast_percent)),
                text::or_blank(c.bvpi157.as_ref().map(|b| b.target_percent)),
                c.exposure_gbp.to_string(),
                c.funding_gbp.to_string(),
                text::or_blank(c.simulation.as_ref().map(|s| format!("{:.4}", s.p_all_required))),
                text::or_blank(c.simulation.as_ref().map(|s| format!("{:.4}", s.expected_misses))),
                String::new(),
                String::new(),
            ]);
            row
        })
        .collect();
    for l in &x.left_out {
        let mut row = vec![
            String::new(),
            l.name.clone().unwrap_or_default(),
            l.model.clone(),
            l.tier.clone().unwrap_or_default(),
            l.region.clone().unwrap_or_default(),
            "false".into(),
            String::new(),
        ];
        row.extend(std::iter::repeat_n(String::new(), 12 + 7));
        let first = l.errors.first();
        row.push(first.map(|e| e.at.clone()).unwrap_or_default());
        row.push(l.errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "));
        rows.push(row);
    }
    text::csv(&headers, &rows)
}

/// The national dashboard: one page, no script, no external asset, A4 landscape.
fn html(x: &RollupOut, r: &Rollup) -> String {
    let e = |s: &str| escape::xml(s);
    let mut body = String::new();
    body.push_str(&format!("<h1>{}</h1>\n", e(&headline(x))));
    body.push_str("<ul class=\"totals\">\n");
    for line in totals_lines(x) {
        body.push_str(&format!("<li>{}</li>\n", e(&line)));
    }
    body.push_str("</ul>\n");
    // The heat map: councils best first (by rank, then name), outcomes most troubled first (off
    // track, then at risk, then unknown, across councils), so that rows and columns of one
    // colour gather.
    let mut outcomes: Vec<&OutcomeLine> = x.outcomes.iter().collect();
    outcomes.sort_by(|a, b| {
        let key = |o: &OutcomeLine| (o.counts.off_track, o.counts.at_risk, o.counts.unknown);
        key(b).cmp(&key(a)).then_with(|| {
            let place = |o: &OutcomeLine| x.outcomes.iter().position(|p| p.code == o.code);
            place(a).cmp(&place(b))
        })
    });
    let mut councils: Vec<(usize, &CouncilLine)> = x.councils.iter().enumerate().collect();
    councils.sort_by(|a, b| (a.1.rank, &a.1.name).cmp(&(b.1.rank, &b.1.name)));
    body.push_str("<h2>Councils × outcomes</h2>\n<p class=\"note\">Rows: councils, best first (rank). Columns: outcomes, the most often off track first. A dot marks a verdict that rests on a rule's assumption.</p>\n");
    body.push_str(&legend());
    body.push_str("<table class=\"heat\">\n<thead><tr><th class=\"name\">council</th>");
    for o in &outcomes {
        body.push_str(&format!("<th class=\"code\"><span>{}</span></th>", e(&o.code)));
    }
    body.push_str("</tr></thead>\n<tbody>\n");
    for (i, c) in &councils {
        let council: &Council = &r.councils[*i];
        body.push_str(&format!(
            "<tr><th class=\"name\">{} {}</th>",
            c.rank,
            e(&text::clip(&c.name, 40))
        ));
        for o in &outcomes {
            match council.outcomes.iter().find(|v| v.code == o.code) {
                Some(v) => {
                    let dot =
                        if v.basis == DateBasis::Assumed && v.standing != Standing::NotApplicable {
                            "•"
                        } else {
                            ""
                        };
                    body.push_str(&format!(
                        "<td class=\"s{}\" title=\"{}: {}\">{dot}</td>",
                        standing_index(v.standing),
                        e(&o.code),
                        status_words(v.standing)
                    ))
                }
                None => body.push_str("<td></td>"),
            }
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</tbody>\n</table>\n");
    // Status bars: each outcome's councils by status.
    body.push_str("<h2>Each outcome across councils</h2>\n<table class=\"bars\">\n");
    for o in &x.outcomes {
        let counts = o.counts.array();
        let total: usize = counts.iter().sum();
        body.push_str(&format!("<tr><th>{}</th><td class=\"bar\">", e(&o.code)));
        for s in Standing::ALL {
            let n = counts[standing_index(s)];
            if n == 0 || total == 0 {
                continue;
            }
            let w = n as f64 / total as f64 * 100.0;
            body.push_str(&format!(
                "<span class=\"s{}\" style=\"width:{w:.2}%\" title=\"{n} {}\">{}</span>",
                standing_index(s),
                status_words(s),
                if w >= 6.0 { n.to_string() } else { String::new() }
            ));
        }
        body.push_str(&format!(
            "</td><td class=\"title\">{}</td></tr>\n",
            e(&text::clip(&o.title, 60))
        ));
    }
    body.push_str("</table>\n");
    // What holds councils up.
    body.push_str("<h2>What holds councils up</h2>\n<p class=\"note\">The unfinished work on the driving chains of outcomes off track or at risk, by kind, counted across councils.</p>\n");
    let widest = x.holding_up.kinds.first().map_or(1, |b| b.councils.max(1));
    body.push_str("<table class=\"blockers\">\n<tr><th>kind of work</th><th>councils</th><th>off track</th><th>at risk</th><th></th></tr>\n");
    for b in &x.holding_up.kinds {
        let w = b.councils as f64 / widest as f64 * 100.0;
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"bar\"><span class=\"s3\" style=\"width:{w:.2}%\"></span></td></tr>\n",
            e(&b.id), b.councils, b.off_track, b.at_risk
        ));
    }
    body.push_str("</table>\n");
    if !x.holding_up.projects.is_empty() {
        body.push_str("<h3>Named projects</h3>\n<table class=\"blockers\">\n<tr><th>project</th><th>title</th><th>councils</th><th>off track</th><th>at risk</th></tr>\n");
        for b in x.holding_up.projects.iter().take(20) {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                e(&b.id),
                e(&text::clip(&b.title, 70)),
                b.councils,
                b.off_track,
                b.at_risk
            ));
        }
        body.push_str("</table>\n");
    }
    if !x.left_out.is_empty() {
        body.push_str(&format!(
            "<h2>Left out ({})</h2>\n<table class=\"left\">\n<tr><th>model</th><th>at</th><th>problem</th></tr>\n",
            x.left_out.len()
        ));
        for row in left_out_rows(x) {
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                e(&row[0]),
                e(&row[1]),
                e(&row[2])
            ));
        }
        body.push_str(&format!("</table>\n<p class=\"note\">{}</p>\n", e(EXIT_NOTE)));
    }
    let mut style = String::from(STYLE);
    for s in Standing::ALL {
        style.push_str(&format!(
            ".s{} {{ background: {}; }}\n",
            standing_index(s),
            standing::fill(s)
        ));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{style}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        e("Roll-up of the ODPM priority outcomes")
    )
}

fn legend() -> String {
    let mut out = String::from("<p class=\"legend\">");
    for s in Standing::ALL {
        out.push_str(&format!(
            "<span class=\"key s{}\"></span> {} ",
            standing_index(s),
            status_words(s)
        ));
    }
    out.push_str("</p>\n");
    out
}

const STYLE: &str = "@page { size: A4 landscape; margin: 10mm; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 9pt; color: #000; max-width: 277mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
h3 { font-size: 10pt; margin: 3mm 0 1mm; }
.note { color: #333; margin: 1mm 0; }
.totals { margin: 0 0 2mm; padding-left: 5mm; }
.legend .key { display: inline-block; width: 3mm; height: 3mm; vertical-align: middle; }
table { border-collapse: collapse; }
table.heat { table-layout: fixed; }
table.heat td { width: 3.4mm; height: 3mm; padding: 0; border: 0.2mm solid #fff; font-size: 6pt; line-height: 1; text-align: center; color: #fff; }
table.heat th.name { text-align: left; font-weight: normal; font-size: 7pt; white-space: nowrap; padding-right: 2mm; max-width: 60mm; overflow: hidden; }
table.heat th.code { font-size: 6pt; font-weight: normal; padding: 0; height: 8mm; vertical-align: bottom; }
table.heat th.code span { display: inline-block; transform: rotate(-90deg); width: 3.4mm; }
table.heat tr { break-inside: avoid; }
table.heat thead { display: table-header-group; }
table.bars { width: 100%; }
table.bars th { width: 10mm; text-align: left; font-weight: normal; }
table.bars td.bar { width: 120mm; padding: 0.4mm 0; }
table.bars td.bar span, table.blockers td.bar span { display: inline-block; height: 3.5mm; color: #fff; font-size: 7pt; text-align: center; vertical-align: middle; line-height: 3.5mm; }
table.bars td.title { padding-left: 2mm; font-size: 8pt; }
table.blockers td, table.blockers th, table.left td, table.left th { border-bottom: 0.2mm solid #ccc; padding: 0.6mm 2mm; text-align: left; }
table.blockers td.bar { width: 60mm; }
table.bars tr, table.blockers tr, table.left tr { break-inside: avoid; }
";

/// `routemap rollup`'s result.
pub struct RollupReport<'a>(pub &'a Rollup);

impl RollupReport<'_> {
    /// What standard error shows: each council left out with its diagnostics, then a line
    /// saying how many and the exit code.
    pub fn stderr(&self) -> String {
        let r = self.0;
        if r.left_out.is_empty() {
            return String::new();
        }
        let mut out = String::new();
        for l in &r.left_out {
            out.push_str(&l.error.to_string());
        }
        out.push_str(&format!(
            "note: {} of {} councils left out of the roll-up (exit code {LEFT_OUT_EXIT})\n",
            r.left_out.len(),
            r.left_out.len() + r.councils.len()
        ));
        out
    }

    /// The exit code: 0 when every council was rolled up, [`LEFT_OUT_EXIT`] otherwise.
    pub fn code(&self) -> u8 {
        if self.0.left_out.is_empty() { 0 } else { LEFT_OUT_EXIT }
    }
}

impl Render for RollupReport<'_> {
    const FORMATS: &'static [Format] =
        &[Format::Table, Format::Json, Format::Csv, Format::Md, Format::Html];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        let x = RollupOut::new(self.0);
        render::text(match format {
            Format::Table => table(&x, t),
            Format::Json => super::json::to_string(&x),
            Format::Csv => csv(&x),
            Format::Md => markdown(&x),
            Format::Html => html(&x, self.0),
            Format::Svg | Format::Dot | Format::Mermaid | Format::Docx => {
                return Err(not_written(format));
            }
        })
    }
}
