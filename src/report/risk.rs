//! `routemap risk-report`: the routemap's "Risk Analysis" section, written from the forecast.

use super::output::{Format, Rendered};
use super::render::{Render, Terminal, not_written};
use crate::error::Error;
use chrono::NaiveDate;
use petgraph::graph::NodeIndex;

use super::Evaluated;
use super::document::{Block, Cell, DateStyle, Inline, Paper, labelled, para};
use super::exposure::parameters;
use super::standing::is_served;
use super::text::{self, gbp, long_date};
use crate::assess::{Assessment, DateBasis, OutcomeResult, Standing};
use crate::graph::NodeKind;
use crate::model::{Category, Level, Risk};
use crate::risk::{ProposedAction, Score};
use crate::scenario::{self, Scenario};

/// One forecast the report describes: the baseline, or a scenario.
pub struct Forecasted<'a> {
    /// The view of the model and assessment.
    pub e: Evaluated<'a>,
    /// How the rules scored each register risk.
    pub scores: Vec<Score>,
}

/// Everything the report is written from.
pub struct RiskInputs<'a> {
    /// The baseline.
    pub baseline: Forecasted<'a>,
    /// The proposed actions derived from the baseline's drivers.
    pub actions: Vec<ProposedAction>,
    /// The baseline if every proposed action finishes by its latest finish.
    pub after: Forecasted<'a>,
    /// Scenarios with their forecasts, in file order.
    pub scenarios: Vec<(&'a Scenario, Forecasted<'a>)>,
    /// The scenario file, as given.
    pub scenario_file: Option<String>,
    /// The baseline's BVPI 157 forecast, where the model has a BVPI 157 table: a section of
    /// its own.
    pub bvpi: Option<crate::bvpi::BvpiForecast>,
    /// The baseline's verdicts without the assumptions they rest on, by outcome in the
    /// assessment's order.
    pub without: Vec<Option<super::explain::WithoutLine>>,
    /// With `--since`: an earlier version against this one.
    pub since: Option<crate::diff::Diff>,
}

fn is_required(r: &OutcomeResult) -> bool {
    r.category == Category::Required
}

/// "1 Required outcome", "4 Required outcomes".
fn required(n: usize) -> String {
    if n == 1 { "1 Required outcome".to_string() } else { format!("{n} Required outcomes") }
}

fn status_words(s: Standing) -> &'static str {
    match s {
        Standing::Achieved => "Achieved",
        Standing::OnTrack => "On track",
        Standing::AtRisk => "At risk",
        Standing::OffTrack => "Forecast to miss",
        Standing::Unknown => "Cannot yet be forecast",
        Standing::NotApplicable => "Not applicable",
    }
}

fn count(a: &Assessment, required: bool, s: Standing) -> usize {
    a.outcomes.iter().filter(|r| is_required(r) == required && r.standing == s).count()
}

/// "6 have been achieved, 2 are on track, ..." for one category.
fn position(e: &Evaluated, required: bool) -> String {
    let a = e.assessment;
    let n = |s| count(a, required, s);
    let verb = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}, {}, {} and {}",
        verb(n(Standing::Achieved), "has been achieved", "have been achieved"),
        verb(n(Standing::OnTrack), "is on track", "are on track"),
        verb(n(Standing::AtRisk), "is at risk", "are at risk"),
        verb(
            n(Standing::OffTrack),
            "is forecast to miss its deadline",
            "are forecast to miss their deadline"
        ),
        verb(n(Standing::Unknown), "cannot yet be forecast", "cannot yet be forecast"),
    ) + match n(Standing::NotApplicable) {
        0 => String::new(),
        k => format!(" ({k} more do not apply to the Council)"),
    }
    .as_str()
}

fn deadline_of(e: &Evaluated, required: bool) -> Option<NaiveDate> {
    e.assessment.outcomes.iter().filter(|r| is_required(r) == required).map(|r| r.deadline).max()
}

/// The outcomes of a category the council delivers.
fn total(e: &Evaluated, required: bool) -> usize {
    e.assessment
        .outcomes
        .iter()
        .filter(|r| is_required(r) == required && r.standing != Standing::NotApplicable)
        .count()
}

fn date_or(d: Option<NaiveDate>, none: &str) -> String {
    d.map_or_else(|| none.to_string(), long_date)
}

/// An outcome's forecast as a table cell: its date, or the words for none.
fn forecast_cell(e: &Evaluated, r: &OutcomeResult) -> Cell {
    match (r.forecast, e.assessment.floor[r.node.index()]) {
        (Some(f), _) => Cell::Date(f, DateStyle::Long),
        _ => forecast_words(e, r).into(),
    }
}

fn forecast_words(e: &Evaluated, r: &OutcomeResult) -> String {
    match (r.forecast, e.assessment.floor[r.node.index()]) {
        (Some(f), _) => long_date(f),
        (None, Some(floor)) => format!("not before {}", long_date(floor)),
        (None, None) => "no date".to_string(),
    }
}

fn slack_words(slack: Option<i64>) -> String {
    match slack {
        None => "–".to_string(),
        Some(d) if d < 0 => format!("{} late", text::days(-d)),
        Some(d) => text::days(d),
    }
}

fn driver_words(e: &Evaluated, r: &OutcomeResult) -> String {
    let chain: Vec<&str> = r
        .drivers
        .iter()
        .filter(|n| e.graph.dag[**n].kind != NodeKind::Outcome)
        .map(|n| e.id(*n))
        .collect();
    if chain.is_empty() { "no work serves it".to_string() } else { chain.join(" → ") }
}

/// What the Required outcomes off track rest on: those off track on the council's own dates,
/// those off track only on the rules' assumptions, and for each outcome not on track whose
/// verdict an assumption decides, that assumption and the status without it.
fn on_assumptions(inputs: &RiskInputs) -> Vec<Block> {
    let e = &inputs.baseline.e;
    let results = &e.assessment.outcomes;
    let off = |assumed: bool| -> Vec<&str> {
        results
            .iter()
            .filter(|r| is_required(r) && r.standing == Standing::OffTrack)
            .filter(|r| is_served(r))
            .filter(|r| (r.basis == DateBasis::Assumed) == assumed)
            .map(|r| e.id(r.node))
            .collect()
    };
    let (stated, assumed) = (off(false), off(true));
    let mut out = Vec::new();
    if stated.is_empty() && assumed.is_empty() {
        return out;
    }
    let list =
        |codes: &[&str]| if codes.is_empty() { "none".to_string() } else { codes.join(", ") };
    out.push(para(format!(
        "Off track on the Council's own dates: {}. Off track only on the rules' assumptions (marked {}): {}.",
        list(&stated),
        super::standing::ASSUMED_MARK,
        list(&assumed)
    )));
    let mut items = Vec::new();
    for (r, w) in results.iter().zip(&inputs.without) {
        let Some(w) = w else { continue };
        let attention =
            matches!(r.standing, Standing::AtRisk | Standing::OffTrack | Standing::Unknown);
        if is_required(r) && attention && !w.deciding.is_empty() {
            items.extend(w.sentences(e.id(r.node), r.standing).into_iter().take(w.deciding.len()));
        }
    }
    if !items.is_empty() {
        out.push(para("What would change them: each assumption that alone decides a Required outcome's status, and its status without it."));
        out.push(Block::List(items));
    }
    out
}

/// Whether an outcome is not on track: at risk, off track or unforecast.
fn needs_attention(r: &OutcomeResult) -> bool {
    matches!(r.standing, Standing::AtRisk | Standing::OffTrack | Standing::Unknown)
}

/// The Required outcomes not on track (at risk, off track or unforecast) that the routemap
/// serves, as a table.
fn not_on_track(e: &Evaluated) -> (usize, Block) {
    let rows: Vec<Vec<Cell>> = e
        .assessment
        .outcomes
        .iter()
        .filter(|r| is_required(r) && needs_attention(r) && is_served(r))
        .map(|r| {
            let mark =
                if r.basis == DateBasis::Assumed { super::standing::ASSUMED_MARK } else { "" };
            vec![
                format!("{} {}", e.id(r.node), text::clip(&e.label(r.node), 60)).into(),
                format!("{}{mark}", status_words(r.standing)).into(),
                forecast_cell(e, r),
                slack_words(r.slack_days).into(),
                driver_words(e, r).into(),
                e.responsibility(r).into(),
            ]
        })
        .collect();
    let n = rows.len();
    let headers = ["Outcome", "Status", "Forecast", "Slack", "Driven by", "Responsibility"];
    (n, Block::Table { headers: headers.iter().map(|h| h.to_string()).collect(), rows })
}

fn level_row(name: &str, register: Level, score: Option<Level>) -> Vec<Cell> {
    vec![name.into(), Cell::Level(register), level_or_not(score)]
}

/// A level, or "not assessed" where the forecast holds no evidence.
fn level_or_not(l: Option<Level>) -> Cell {
    l.map_or_else(|| "not assessed".into(), Cell::Level)
}

/// A date, or the words for none.
fn date_cell(d: Option<NaiveDate>, none: &str) -> Cell {
    d.map_or_else(|| none.into(), |d| Cell::Date(d, DateStyle::Long))
}

/// "above" or "below" the register, or None where they agree.
fn compare(register: Level, evidence: Level) -> Option<&'static str> {
    match evidence.cmp(&register) {
        std::cmp::Ordering::Greater => Some("above"),
        std::cmp::Ordering::Less => Some("below"),
        std::cmp::Ordering::Equal => None,
    }
}

fn outcome_list(e: &Evaluated, nodes: &[NodeIndex]) -> String {
    let codes: Vec<&str> = nodes.iter().map(|n| e.id(*n)).collect();
    codes.join(", ")
}

fn risk_section(doc: &mut Paper, inputs: &RiskInputs, i: usize, risk: &Risk) {
    let e = &inputs.baseline.e;
    doc.push(Block::Heading(2, format!("{}. {}", risk.reference, risk.title)));
    doc.push(labelled(
        "Title & Description",
        format!("{}. {} – {}", risk.reference, risk.title, risk.description),
    ));
    let score = &inputs.baseline.scores[i];
    let (likelihood, impact) = match score {
        Score::Assessed { likelihood, impact, .. } => (Some(*likelihood), Some(*impact)),
        Score::NotAssessed { .. } => (None, None),
    };
    doc.push(Block::Table {
        headers: vec![
            String::new(),
            "Recorded in the register".into(),
            "Assessed from the forecast".into(),
        ],
        rows: vec![
            level_row("Likelihood", risk.likelihood, likelihood),
            level_row("Impact", risk.impact, impact),
        ],
    });
    match score {
        Score::Assessed { likelihood, impact, likelihood_reason, impact_reason } => {
            doc.push(para(format!(
                "The forecast gives a likelihood of {}, because {likelihood_reason}; and an impact of {}, because {impact_reason}.",
                likelihood.as_str(),
                impact.as_str()
            )));
            let mut differ = Vec::new();
            if let Some(w) = compare(risk.likelihood, *likelihood) {
                differ.push(format!(
                    "the likelihood is {w} the register's {}",
                    risk.likelihood.as_str()
                ));
            }
            if let Some(w) = compare(risk.impact, *impact) {
                differ.push(format!("the impact is {w} the register's {}", risk.impact.as_str()));
            }
            if !differ.is_empty() {
                doc.push(Block::Para(vec![
                    Inline::Strong("The evidence disagrees with the register:".into()),
                    Inline::Text(format!(" {}.", differ.join(", and "))),
                ]));
            }
            let after = &inputs.after;
            let ae = after.e.assessment;
            let residual = match &after.scores[i] {
                Score::Assessed { likelihood, .. } => likelihood.as_str().to_string(),
                Score::NotAssessed { .. } => "not assessed".to_string(),
            };
            let recorded = risk
                .residual_likelihood
                .map_or_else(|| "gives none".to_string(), |l| format!("records {}", l.as_str()));
            doc.push(labelled(
                "Likelihood after proposed actions",
                format!(
                    "{residual}. If each proposed action below finishes by the date shown, the forecast would show {} forecast to miss the deadline and {} at risk or not yet forecast. The register {recorded}.",
                    required(count(ae, true, Standing::OffTrack)),
                    count(ae, true, Standing::AtRisk) + count(ae, true, Standing::Unknown),
                ),
            ));
            proposed_actions(doc, e, &inputs.actions, 3);
            register_actions(doc, risk, "Actions recorded in the register");
        }
        Score::NotAssessed { reason } => {
            doc.push(para(format!(
                "The register's assessment stands: {reason}. Likelihood after the proposed actions: {}.",
                risk.residual_likelihood
                    .map_or("not recorded in the register", |l| l.as_str())
            )));
            register_actions(doc, risk, "Proposed actions");
        }
    }
}

/// The BVPI 157 forecast in a sentence or two: the deadline's percentage against the target, and
/// the groups that miss with the work that holds each up.
fn bvpi_words(e: &Evaluated, f: &crate::bvpi::BvpiForecast) -> String {
    let mut out = format!(
        "{}% of customer-facing processes are forecast to be e-enabled on {}, against the target of {}% (from {}% when the routemap was written).",
        f.percent_at_deadline,
        long_date(f.deadline),
        f.target_percent,
        f.baseline_percent
    );
    let missed: Vec<String> = f
        .groups
        .iter()
        .filter(|g| !g.on_time)
        .map(|g| {
            let by = match (g.work.is_empty(), g.drivers.first().or(g.by.as_ref())) {
                (true, _) => "no routemap work is linked to it".to_string(),
                (false, Some(n)) => format!("held up by {}", e.id(*n)),
                (false, None) => g.reason.clone(),
            };
            let when = g.forecast.map_or_else(|| "no date".to_string(), long_date);
            format!("{} ({when}; {by})", g.interaction)
        })
        .collect();
    if !missed.is_empty() {
        out.push_str(&format!(" Not enabled by then: {}.", missed.join("; ")));
    }
    out
}

/// The work the forecast says must finish, and by when, under a heading of this level.
fn proposed_actions(doc: &mut Paper, e: &Evaluated, actions: &[ProposedAction], level: u8) {
    doc.push(Block::Heading(level, "Proposed actions".into()));
    if actions.is_empty() {
        doc.push(para("No outcome calls for action, so the forecast proposes none."));
    } else {
        doc.push(para(format!(
            "Each piece of work below holds up the outcomes shown beside it: it sets their date, or would once the rest of the list finishes in time. Each must finish by the date shown for every outcome it serves to be met ({} in all), the work furthest behind first.",
            actions.len()
        )));
        let rows = actions
            .iter()
            .map(|p| {
                vec![
                    format!("{} ({})", text::clip(&e.label(p.node), 90), e.id(p.node)).into(),
                    outcome_list(e, &p.blocks).into(),
                    match p.latest {
                        Some(l) if l < e.assessment.basis.as_of => {
                            format!("{} (passed)", long_date(l)).into()
                        }
                        l => date_cell(l, "–"),
                    },
                    match (p.forecast, p.floor) {
                        (None, Some(floor)) => format!("not before {}", long_date(floor)).into(),
                        (f, _) => date_cell(f, "no date"),
                    },
                    e.owner(p.node).unwrap_or_else(|| "not named in the routemap".into()).into(),
                ]
            })
            .collect();
        doc.push(Block::Table {
            headers: [
                "Proposed action",
                "Holds up",
                "Must finish by",
                "Forecast",
                "Responsibility",
            ]
            .iter()
            .map(|h| h.to_string())
            .collect(),
            rows,
        });
    }
}

fn register_actions(doc: &mut Paper, risk: &Risk, heading: &str) {
    if risk.proposed_actions.is_empty() {
        return;
    }
    doc.push(Block::Heading(3, heading.into()));
    doc.push(Block::Table {
        headers: vec!["Proposed actions".into(), "Responsibility".into()],
        rows: risk
            .proposed_actions
            .iter()
            .map(|a| vec![a.clone().into(), risk.responsibility.clone().unwrap_or_default().into()])
            .collect(),
    });
}

fn exposure_section(doc: &mut Paper, e: &Evaluated) {
    let x = &e.assessment.exposure;
    doc.push(Block::Heading(2, "IEG funding exposure".into()));
    let quote = e
        .model
        .funding
        .iter()
        .find_map(|s| s.source.clone())
        .map(|q| format!(" (\u{201c}{q}\u{201d})"))
        .unwrap_or_default();
    doc.push(para(format!(
        "The routemap ties {} of IEG grant to the priority outcomes{quote}. On the forecast, {} of it is at risk.",
        gbp(x.total_gbp),
        gbp(x.at_risk_gbp)
    )));
    let rows = e
        .model
        .funding
        .iter()
        .zip(&e.assessment.basis.terms.streams)
        .zip(&x.streams)
        .map(|((s, t), sx)| {
            vec![
                s.name.clone().into(),
                Cell::Money(s.amount_gbp),
                Cell::Money(sx.at_risk_gbp),
                if t.at_risk { t.reason.clone() } else { format!("settled: {}", t.reason) }.into(),
            ]
        })
        .collect();
    doc.push(Block::Table {
        headers: ["Stream", "Amount", "At risk", "Why"].iter().map(|h| h.to_string()).collect(),
        rows,
    });
    doc.push(para(super::exposure::method_sentence(e)));
}

fn cmt_section(doc: &mut Paper, e: &Evaluated) {
    if e.model.cmt_risks.is_empty() {
        return;
    }
    doc.push(Block::Heading(2, "Risks identified by the Corporate Management Team".into()));
    let when = e.model.cmt_risks.iter().find_map(|r| r.identified);
    doc.push(para(format!(
        "The table below identifies and proposes solutions to risk management issues identified at Corporate Management Team (CMT){}, carried over from the register.",
        when.map(|d| format!(" on {}", long_date(d))).unwrap_or_default()
    )));
    doc.push(Block::Table {
        headers: vec!["Risk".into(), "Countermeasures".into()],
        rows: e
            .model
            .cmt_risks
            .iter()
            .map(|r| vec![r.risk.clone().into(), r.countermeasures.join("; ").into()])
            .collect(),
    });
}

fn scenario_section(doc: &mut Paper, inputs: &RiskInputs) {
    if inputs.scenarios.is_empty() {
        return;
    }
    let e = &inputs.baseline.e;
    doc.push(Block::Heading(2, "Scenarios".into()));
    doc.push(para(format!(
        "The same assessment if work slips as each scenario{} supposes, beside the forecast above.",
        inputs.scenario_file.as_ref().map(|f| format!(" of {f}")).unwrap_or_default()
    )));
    // The first risk the forecast bears on.
    let target = inputs.baseline.scores.iter().position(|s| matches!(s, Score::Assessed { .. }));
    let levels = |f: &Forecasted| match target.and_then(|i| f.scores.get(i)) {
        Some(Score::Assessed { likelihood, impact, .. }) => (Some(*likelihood), Some(*impact)),
        _ => (None, None),
    };
    let row = |name: &str, f: &Forecasted| {
        let a = f.e.assessment;
        let (l, i) = levels(f);
        vec![
            name.into(),
            count(a, true, Standing::OffTrack).to_string().into(),
            (count(a, true, Standing::AtRisk) + count(a, true, Standing::Unknown))
                .to_string()
                .into(),
            Cell::Money(a.exposure.at_risk_gbp),
            level_or_not(l),
            level_or_not(i),
        ]
    };
    let mut rows = vec![row("Forecast", &inputs.baseline)];
    rows.extend(inputs.scenarios.iter().map(|(s, f)| row(&s.name, f)));
    let first = target
        .and_then(|i| e.model.risks.get(i))
        .map(|r| format!("risk {}", r.reference))
        .unwrap_or_default();
    doc.push(Block::Table {
        headers: vec![
            "Scenario".into(),
            "Required forecast to miss".into(),
            "Required at risk or not forecast".into(),
            "IEG grant at risk".into(),
            format!("Likelihood ({first})"),
            format!("Impact ({first})"),
        ],
        rows,
    });
    let (base_n, _) = not_on_track(e);
    for (s, f) in &inputs.scenarios {
        doc.push(Block::Heading(3, s.name.clone()));
        let slips: Vec<String> = s.slips.iter().map(|x| x.text.clone()).collect();
        let mut words = s.description.clone().unwrap_or_default();
        if !slips.is_empty() {
            words.push_str(&format!(" Slips: {}.", slips.join(", ")));
        }
        if let Some(d) = s.as_of {
            words.push_str(&format!(" Judged on {}.", long_date(d)));
        }
        doc.push(para(words.trim().to_string()));
        let (n, _) = not_on_track(&f.e);
        doc.push(para(format!(
            "Required outcomes not on track: {n} (in the forecast: {base_n}). IEG grant at risk: {} (in the forecast: {}).",
            gbp(f.e.assessment.exposure.at_risk_gbp),
            gbp(e.assessment.exposure.at_risk_gbp)
        )));
        doc.push(moved_table(e, &f.e));
    }
}

/// The Required outcomes whose position differs between the forecast and a scenario.
fn moved_table(base: &Evaluated, scenario: &Evaluated) -> Block {
    let (a, b) = (base.assessment, scenario.assessment);
    let position = |e: &Evaluated, r: &OutcomeResult| {
        format!("{}, {}", status_words(r.standing), forecast_words(e, r))
    };
    let rows: Vec<Vec<Cell>> = a
        .outcomes
        .iter()
        .zip(&b.outcomes)
        .filter(|(x, y)| is_required(x) && scenario::outcome_moved(a, b, x, y))
        .map(|(x, y)| {
            vec![
                format!("{} {}", base.id(x.node), text::clip(&base.label(x.node), 60)).into(),
                position(base, x).into(),
                position(scenario, y).into(),
                driver_words(scenario, y).into(),
                scenario.responsibility(y).into(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return para("No Required outcome's position changes.");
    }
    Block::Table {
        headers: ["Outcome", "In the forecast", "In this scenario", "Driven by", "Responsibility"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        rows,
    }
}

/// The heading of the BVPI 157 section, there whenever the model has a BVPI 157 table.
const BVPI_HEADING: &str = "BVPI 157: e-enabled customer-facing processes";

/// Write the section.
pub fn document(inputs: &RiskInputs) -> Paper {
    document_with(inputs, &[])
}

/// "Progress since version N": what changed since the earlier version, and what it did.
fn progress_since(doc: &mut Paper, d: &crate::diff::Diff) {
    let (Some(step), Some(then)) = (d.steps.first(), d.versions.first()) else { return };
    doc.push(Block::Heading(
        2,
        format!("Progress since version {} ({})", then.version, long_date(then.issue_date)),
    ));
    let done = step.changes.iter().filter(|c| c.kind == crate::diff::ChangeKind::Completed).count();
    let moved =
        step.changes.iter().filter(|c| c.kind == crate::diff::ChangeKind::TargetMoved).count();
    let status = step.outcomes.iter().filter(|o| o.before.status != o.after.status).count();
    let count = super::diff::count;
    doc.push(para(format!(
        "Since version {} of the routemap: {} completed, {} moved and {} changed status. Each version is judged on its own issue date; the reason given for each outcome is the change that, undone alone, moves it back (`routemap diff` gives the whole comparison).",
        then.version,
        count(done, "piece of work", "pieces of work"),
        count(moved, "target", "targets"),
        count(status, "outcome", "outcomes"),
    )));
    doc.blocks.extend(super::diff::step_blocks(step, 3));
}

/// [`document`] with more sections (a simulation's) after the forecast's own and before the
/// closing line that says how the report was made.
fn document_with(inputs: &RiskInputs, before_footer: &[Block]) -> Paper {
    let e = &inputs.baseline.e;
    let d = &e.model.document;
    let mut doc = Paper { title: format!("{}: Risk Analysis", d.council), blocks: Vec::new() };
    doc.push(Block::Heading(1, "Risk Analysis".into()));
    let register = !e.model.risks.is_empty();
    doc.push(para(format!(
        "This section assesses {} the forecast of the {} ODPM priority outcomes in {}'s {}, {} ({}), judged on {}.",
        if register {
            "the risks of the Council's Strategic Risk Register against"
        } else {
            "the risks to"
        },
        e.assessment.outcomes.len(),
        d.council,
        d.title,
        d.version,
        long_date(d.issue_date),
        long_date(e.assessment.basis.as_of)
    )));
    let mut position_words = Vec::new();
    for (required, name) in [(true, "Required"), (false, "Good")] {
        let n = total(e, required);
        if n > 0 {
            position_words.push(format!(
                "Of the {n} {name} {}, due by {}, {}.",
                if n == 1 { "outcome" } else { "outcomes" },
                date_or(deadline_of(e, required), "its deadline"),
                position(e, required)
            ));
        }
    }
    position_words.push(format!(
        "The forecast puts {} of the {} IEG grant at risk.",
        gbp(e.assessment.exposure.at_risk_gbp),
        gbp(e.assessment.exposure.total_gbp)
    ));
    doc.push(para(position_words.join(" ")));
    if let Some(d) = &inputs.since {
        progress_since(&mut doc, d);
    }
    if !register {
        doc.push(para(
            "The routemap records no Strategic Risk Register, so no register risk is assessed here; the actions below come from the forecast alone.",
        ));
        proposed_actions(&mut doc, e, &inputs.actions, 2);
    } else {
        doc.push(para(
            "The following actions are proposed to minimise the likelihood and impact of risks highlighted by the Council's Strategic Risk Register.",
        ));
    }
    for (i, risk) in e.model.risks.iter().enumerate() {
        risk_section(&mut doc, inputs, i, risk);
    }
    cmt_section(&mut doc, e);
    doc.push(Block::Heading(2, "Required outcomes not on track".into()));
    let (n, table) = not_on_track(e);
    let unserved: Vec<&OutcomeResult> = e
        .assessment
        .outcomes
        .iter()
        .filter(|r| is_required(r) && needs_attention(r) && !is_served(r))
        .collect();
    let all = n + unserved.len();
    let apart = match unserved.len() {
        0 => String::new(),
        k => format!(" ({k} of them not in the routemap at all, listed after the table)"),
    };
    doc.push(para(format!(
        "{all} of the {} Required outcomes {} not on track on {}{apart}. \"Driven by\" is the chain of work that sets each forecast, root cause first.",
        total(e, true),
        if all == 1 { "is" } else { "are" },
        long_date(e.assessment.basis.as_of)
    )));
    doc.push(table);
    if let Some(first) = unserved.first() {
        let codes: Vec<&str> = unserved.iter().map(|r| e.id(r.node)).collect();
        doc.push(para(format!(
            "Not in the routemap: no action or task serves {} ({}). The rules judge {} {}: {}.",
            if codes.len() == 1 {
                "this Required outcome".to_string()
            } else {
                format!("these {} Required outcomes", codes.len())
            },
            codes.join(", "),
            if codes.len() == 1 { "it" } else { "each" },
            status_words(first.standing).to_lowercase(),
            first.reason
        )));
    }
    for b in on_assumptions(inputs) {
        doc.push(b);
    }
    if let Some(f) = &inputs.bvpi {
        doc.push(Block::Heading(2, BVPI_HEADING.into()));
        doc.push(para(bvpi_words(e, f)));
    }
    exposure_section(&mut doc, e);
    scenario_section(&mut doc, inputs);
    doc.blocks.extend(before_footer.iter().cloned());
    let custom: Vec<&str> = e.rules.from_directory.iter().map(String::as_str).collect();
    let which = if custom.is_empty() {
        "the built-in rules".to_string()
    } else {
        format!("the built-in rules except {}", custom.join(", "))
    };
    let params: Vec<String> =
        parameters(e).iter().map(|p| format!("{} = {}", p.name, p.value)).collect();
    doc.push(para(format!(
        "Generated by routemap: model {}, rules {} ({which}). Funding rule parameters: {}.",
        e.model.origin.hash,
        e.rules.hash,
        params.join(", ")
    )));

    doc
}

/// The JSON of `routemap risk-report --format json`: the figures the report is written from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RiskReportOut {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// Outcomes counted by category and status.
    pub summary: super::forecast::Summary,
    /// Every stream's amount.
    pub total_gbp: u64,
    /// Pounds at risk.
    pub at_risk_gbp: u64,
    /// Each funding stream.
    pub streams: Vec<StreamAtRisk>,
    /// Each register risk, as recorded and as assessed.
    pub risks: Vec<RiskLine>,
    /// The proposed actions, furthest behind first.
    pub proposed_actions: Vec<ActionLine>,
    /// Which model.
    pub model: super::check::ModelInfo,
    /// Which rules.
    pub rules: super::RulesInfo,
    /// With `--since`: the earlier version against this one, as `routemap diff` writes it
    /// (absent without `--since`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress_since: Option<crate::diff::Diff>,
}

/// A funding stream's part at risk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StreamAtRisk {
    /// Its name.
    pub name: String,
    /// The whole grant.
    pub amount_gbp: u64,
    /// Pounds at risk.
    pub at_risk_gbp: u64,
}

/// A likelihood and an impact.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Levels {
    /// `High`, `Medium` or `Low`.
    #[serde(serialize_with = "level_str")]
    pub likelihood: Level,
    /// `High`, `Medium` or `Low`.
    #[serde(serialize_with = "level_str")]
    pub impact: Level,
}

impl Levels {
    /// `High / Medium`: the likelihood, then the impact.
    fn words(&self) -> String {
        format!("{} / {}", self.likelihood.as_str(), self.impact.as_str())
    }
}

/// A level as the JSON contract writes it: `High`, `Medium` or `Low`.
fn level_str<S: serde::Serializer>(l: &Level, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(l.as_str())
}

/// One register risk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RiskLine {
    /// Its register number.
    pub reference: String,
    /// Its title.
    pub title: String,
    /// As the register records it.
    pub recorded: Levels,
    /// As the forecast assesses it, or null where the forecast holds no evidence.
    pub assessed: Option<Levels>,
}

/// One proposed action.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActionLine {
    /// The work's id.
    pub id: String,
    /// What it is.
    pub label: String,
    /// The Required outcomes it holds up.
    pub holds_up: Vec<String>,
    /// The date it must finish by, or null.
    pub must_finish_by: Option<NaiveDate>,
    /// Its forecast finish, or null.
    pub forecast: Option<NaiveDate>,
    /// The earliest it can finish, or null.
    pub no_earlier_than: Option<NaiveDate>,
    /// Who is responsible.
    pub owner: Option<String>,
}

fn assessed(score: &Score) -> Option<(Level, Level)> {
    match score {
        Score::Assessed { likelihood, impact, .. } => Some((*likelihood, *impact)),
        Score::NotAssessed { .. } => None,
    }
}

impl RiskReportOut {
    /// The figures of a report.
    pub fn new(inputs: &RiskInputs) -> Self {
        let e = &inputs.baseline.e;
        let x = &e.assessment.exposure;
        let levels = |likelihood: Level, impact: Level| Levels { likelihood, impact };
        RiskReportOut {
            as_of: e.assessment.basis.as_of,
            summary: super::forecast::Summary::of(e.assessment),
            total_gbp: x.total_gbp,
            at_risk_gbp: x.at_risk_gbp,
            streams: e
                .model
                .funding
                .iter()
                .zip(&x.streams)
                .map(|(s, sx)| StreamAtRisk {
                    name: s.name.clone(),
                    amount_gbp: s.amount_gbp,
                    at_risk_gbp: sx.at_risk_gbp,
                })
                .collect(),
            risks: e
                .model
                .risks
                .iter()
                .zip(&inputs.baseline.scores)
                .map(|(r, s)| RiskLine {
                    reference: r.reference.clone(),
                    title: r.title.clone(),
                    recorded: levels(r.likelihood, r.impact),
                    assessed: assessed(s).map(|(l, i)| levels(l, i)),
                })
                .collect(),
            proposed_actions: inputs
                .actions
                .iter()
                .map(|p| ActionLine {
                    id: e.id(p.node).to_string(),
                    label: e.label(p.node),
                    holds_up: p.blocks.iter().map(|n| e.id(*n).to_string()).collect(),
                    must_finish_by: p.latest,
                    forecast: p.forecast,
                    no_earlier_than: p.floor,
                    owner: e.owner(p.node),
                })
                .collect(),
            model: super::check::ModelInfo::new(e.model),
            rules: e.rules_info(),
            progress_since: inputs.since.clone(),
        }
    }
}

fn level_index(l: Level) -> usize {
    match l {
        Level::Low => 0,
        Level::Medium => 1,
        Level::High => 2,
    }
}

/// The charts and summary box of the HTML report, drawn from the same figures as its tables.
fn summary_box(inputs: &RiskInputs, x: &RiskReportOut) -> Block {
    let e = &inputs.baseline.e;
    let mut inner = vec![Block::Heading(2, "Summary".into())];
    let mut rows = Vec::new();
    for (required, name) in [(true, "Required"), (false, "Good")] {
        let n = total(e, required);
        if n == 0 {
            continue;
        }
        let counts: Vec<String> = Standing::ALL
            .iter()
            .map(|s| count(e.assessment, required, *s))
            .zip(Standing::ALL)
            .filter(|(n, _)| *n > 0)
            .map(|(n, s)| match s {
                Standing::NotApplicable => format!("({n} more not applicable)"),
                _ => format!("{n} {}", super::standing::status_words(s)),
            })
            .collect();
        rows.push(vec![
            format!("{n} {name} outcomes, due by {}", date_or(deadline_of(e, required), "–"))
                .into(),
            counts.join(", ").into(),
        ]);
    }
    rows.push(vec![
        "IEG grant at risk".into(),
        format!("{} of {}", gbp(x.at_risk_gbp), gbp(x.total_gbp)).into(),
    ]);
    inner.push(Block::Table { headers: vec!["Position".into(), "Forecast".into()], rows });
    if !x.risks.is_empty() {
        inner.push(Block::Table {
            headers: ["Risk", "Recorded (likelihood / impact)", "Assessed (likelihood / impact)"]
                .iter()
                .map(|h| h.to_string())
                .collect(),
            rows: x
                .risks
                .iter()
                .map(|r| {
                    vec![
                        format!("{}. {}", r.reference, r.title).into(),
                        r.recorded.words().into(),
                        r.assessed
                            .as_ref()
                            .map_or_else(|| "not assessed".into(), |a| a.words().into()),
                    ]
                })
                .collect(),
        });
    }
    let categories: Vec<(String, [(Standing, usize); 6])> = [(true, "Required"), (false, "Good")]
        .into_iter()
        .filter(|(r, _)| total(e, *r) > 0)
        .map(|(r, name)| (name.to_string(), Standing::ALL.map(|s| (s, count(e.assessment, r, s)))))
        .collect();
    inner.push(Block::Figure {
        caption: "Outcomes by forecast status".into(),
        svg: super::svg::status_bars("Outcomes by forecast status", &categories),
    });
    inner.push(Block::Figure {
        caption: format!(
            "IEG funding at risk per stream: {} of {} in all",
            gbp(x.at_risk_gbp),
            gbp(x.total_gbp)
        ),
        svg: super::svg::bars(
            "IEG funding at risk per stream",
            &x.streams
                .iter()
                .map(|s| super::svg::Bar {
                    label: s.name.clone(),
                    value: s.at_risk_gbp,
                    shown: format!("{} of {}", gbp(s.at_risk_gbp), gbp(s.amount_gbp)),
                    colour: "#c62828".into(),
                })
                .collect::<Vec<_>>(),
        ),
    });
    Block::Boxed(inner)
}

fn actions_gantt(inputs: &RiskInputs) -> Block {
    let e = &inputs.baseline.e;
    let as_of = e.assessment.basis.as_of;
    let rows: Vec<super::svg::GanttRow> = inputs
        .actions
        .iter()
        .map(|p| {
            let (finish, open_ended) = match (p.forecast, p.floor) {
                (Some(f), _) => (Some(f), false),
                (None, Some(f)) => (Some(f), true),
                (None, None) => (None, false),
            };
            let late = matches!((finish, p.latest), (Some(f), Some(l)) if f > l);
            super::svg::GanttRow {
                label: format!("{} {}", e.id(p.node), e.label(p.node)),
                segments: finish
                    .map(|f| super::svg::Segment {
                        label: e.id(p.node).to_string(),
                        start: as_of.min(f),
                        finish: f,
                        open_ended,
                        colour: if late { "#c62828" } else { "#f9a825" }.into(),
                    })
                    .into_iter()
                    .collect(),
                due: p.latest,
            }
        })
        .collect();
    Block::Figure {
        caption: "Proposed actions: each bar runs from the as-of date (dashed line) to the forecast finish (dashed outline: not before), red where it finishes after the date it must finish by (black tick)".into(),
        svg: super::svg::gantt("Proposed actions against the date each must finish by", as_of, &rows),
    }
}

fn risk_grid(x: &RiskReportOut) -> Block {
    let risks: Vec<super::svg::GridRisk> = x
        .risks
        .iter()
        .map(|r| super::svg::GridRisk {
            label: r.reference.clone(),
            recorded: (level_index(r.recorded.likelihood), level_index(r.recorded.impact)),
            assessed: r
                .assessed
                .as_ref()
                .map(|a| (level_index(a.likelihood), level_index(a.impact))),
        })
        .collect();
    Block::Figure {
        caption: "Likelihood × impact: each register risk as recorded (hollow) and as assessed from the forecast (filled)".into(),
        svg: super::svg::risk_grid("Likelihood × impact of the register risks", &risks),
    }
}

/// The report as a Cabinet paper: a summary box with the position, the money and each risk
/// recorded and assessed, then the charts beside the sections they summarise.
pub fn html(inputs: &RiskInputs) -> String {
    html_of(inputs, document(inputs))
}

/// [`html`] of a document built from `inputs`, perhaps with more blocks after the forecast's
/// own (a simulation's section).
pub fn html_of(inputs: &RiskInputs, doc: Paper) -> String {
    with_figures(inputs, doc).html()
}

/// A document built from `inputs` with the summary box and the charts placed beside the
/// sections they summarise: the Cabinet paper as HTML and Word show it.
pub fn with_figures(inputs: &RiskInputs, doc: Paper) -> Paper {
    let x = RiskReportOut::new(inputs);
    let mut blocks = Vec::with_capacity(doc.blocks.len() + 4);
    let mut gantt_placed = false;
    let mut grid_placed = x.risks.is_empty();
    let mut after_actions_heading = false;
    for (i, b) in doc.blocks.into_iter().enumerate() {
        if i == 1 {
            blocks.push(summary_box(inputs, &x));
        }
        if !grid_placed && matches!(&b, Block::Heading(2, _)) && i > 2 {
            blocks.push(risk_grid(&x));
            grid_placed = true;
        }
        let is_actions = matches!(&b, Block::Heading(_, t) if t == "Proposed actions");
        let is_table = matches!(&b, Block::Table { .. });
        blocks.push(b);
        if is_actions {
            after_actions_heading = true;
        } else if after_actions_heading && is_table && !gantt_placed {
            blocks.push(actions_gantt(inputs));
            gantt_placed = true;
        }
    }
    Paper { title: doc.title, blocks }
}

/// How a Cabinet paper names an input file: as the user gave it when that is a path relative to
/// the working directory, else (an absolute path, which would tell the reader about the machine
/// it was written on) by its file name alone.
fn file_name_for_report(path: &std::path::Path) -> String {
    if path.is_relative() {
        return path.display().to_string();
    }
    path.file_name()
        .map_or_else(|| "the scenario file".to_string(), |n| n.to_string_lossy().into_owned())
}

/// `risk-report`: the Risk Analysis section, from a session's risk run.
pub struct RiskReport<'a> {
    inputs: RiskInputs<'a>,
    /// With `--simulate`: the simulation's section, after the forecast's and before the closing
    /// line.
    simulated: Vec<super::document::Block>,
}

impl<'a> RiskReport<'a> {
    /// The report of `run`; `file` is the scenario file as given, named in the report by
    /// [`file_name_for_report`].
    pub fn new(
        s: &'a crate::session::Session,
        run: &'a crate::session::RiskRun,
        file: Option<&std::path::Path>,
        since: Option<crate::diff::Diff>,
    ) -> Self {
        let forecasted = |assessment, scores: &[crate::risk::Score]| Forecasted {
            e: s.on(assessment),
            scores: scores.to_vec(),
        };
        let scenarios = run
            .scenarios
            .iter()
            .zip(&run.runs)
            .zip(&run.scenario_scores)
            .map(|((sc, a), scores)| (sc, forecasted(a, scores)))
            .collect();
        let inputs = RiskInputs {
            baseline: forecasted(&s.assessment, &run.baseline_scores),
            actions: run.plan.actions.clone(),
            after: forecasted(&run.plan.after, &run.after_scores),
            scenarios,
            scenario_file: file.map(file_name_for_report),
            bvpi: run.bvpi.clone(),
            without: run
                .without
                .0
                .iter()
                .map(|w| {
                    w.as_ref()
                        .map(|w| super::explain::WithoutLine::new(&s.evaluated(), w, run.without.1))
                })
                .collect(),
            since,
        };
        let simulated = match &run.simulation {
            Some(sim) => super::simulate::risk_blocks(&s.evaluated(), sim),
            None => Vec::new(),
        };
        RiskReport { inputs, simulated }
    }

    fn document(&self) -> Paper {
        document_with(&self.inputs, &self.simulated)
    }
}

impl Render for RiskReport<'_> {
    const FORMATS: &'static [Format] = &[Format::Md, Format::Html, Format::Json, Format::Docx];

    fn render(&self, format: Format, _: &Terminal) -> Result<Rendered, Error> {
        Ok(match format {
            Format::Md => Rendered::Text(self.document().markdown()),
            Format::Html => Rendered::Text(html_of(&self.inputs, self.document())),
            Format::Json => {
                Rendered::Text(super::json::to_string(&RiskReportOut::new(&self.inputs)))
            }
            Format::Docx => {
                Rendered::Bytes(super::docx::docx(&with_figures(&self.inputs, self.document()))?)
            }
            Format::Table | Format::Csv | Format::Svg | Format::Dot | Format::Mermaid => {
                return Err(not_written(format));
            }
        })
    }
}
