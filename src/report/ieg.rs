//! `routemap ieg-return`: the priority-outcome self-assessment a council submits with its IEG
//! return, as councils sent it: one line per outcome, its traffic light at each key date (black
//! where the council does not deliver it), a Good outcome's December 2005 checkpoint, the basis
//! of each judgement in the evidence, and the BVPI 157 figure and forecast: CSV for a
//! spreadsheet, Markdown, HTML and Word for a Cabinet paper, JSON for programs.

use super::document::{Block, Cell, Paper, labelled, para};
use super::output::{Format, Rendered};
use super::render::Terminal;
use super::render::{self, Render, not_written};
use crate::assess::{DateBasis, Standing};
use crate::error::Error;
use crate::ieg::{Colour, Judged, Judgement, KeyDates};
use crate::model::Category;
use chrono::NaiveDate;
use serde::Serialize;

use super::check::ModelInfo;
use super::standing::ASSUMED_MARK;
use super::text;
use super::{Evaluated, RulesInfo};
use crate::assess::OutcomeResult;
use crate::bvpi::BvpiForecast;

/// The JSON contract of `routemap ieg-return --format json`.
#[derive(Debug, Clone, Serialize)]
pub struct IegReturn {
    /// The date the routemap was judged on.
    pub as_of: NaiveDate,
    /// The council.
    pub council: String,
    /// Every outcome, R1..R29 then G1..G25.
    pub outcomes: Vec<ReturnLine>,
    /// The BVPI 157 forecast, or null when the model has no BVPI 157 table.
    pub bvpi157: Option<BvpiLine>,
    /// Which model.
    pub model: ModelInfo,
    /// Which rules.
    pub rules: RulesInfo,
    /// The return's key dates, earliest first, each recorded or forecast.
    pub key_dates: Vec<KeyDateOut>,
    /// The Good outcomes' checkpoint date ("approved and in active implementation").
    pub checkpoint_date: NaiveDate,
}

/// Whether a judgement on a date is what the routemap records or what it forecasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// On or before the as-of date: what the routemap says was done by then. (The routemap
    /// holds no earlier forecast, so what was still to do is judged on today's.)
    Recorded,
    /// After the as-of date: what the forecast says will be done by then.
    Forecast,
}

impl When {
    fn of(recorded: bool) -> When {
        if recorded { When::Recorded } else { When::Forecast }
    }

    /// `recorded` or `forecast`.
    pub fn as_str(self) -> &'static str {
        match self {
            When::Recorded => "recorded",
            When::Forecast => "forecast",
        }
    }
}

/// One key date of the return.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct KeyDateOut {
    /// The date.
    pub date: NaiveDate,
    /// `recorded` (on or before the as-of date) or `forecast`.
    pub when: When,
}

/// One outcome of the return.
#[derive(Debug, Clone, Serialize)]
pub struct ReturnLine {
    /// `R8`.
    pub code: String,
    /// Its title.
    pub title: String,
    /// `required` or `good`.
    pub category: Category,
    /// The council's position, in the return's words (`rules/ieg.rhai`).
    pub position: String,
    /// The forecast's status: achieved, on_track, at_risk, off_track or unknown.
    pub status: Standing,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The date it is expected to be achieved (its forecast), or null.
    pub expected: Option<NaiveDate>,
    /// Where there is no forecast, the earliest it can be achieved from the dates known.
    pub no_earlier_than: Option<NaiveDate>,
    /// A short line of evidence: tasks complete, slack, and the work that sets the date.
    pub evidence: String,
    /// What its verdict rests on: `stated`, `derived` or `assumed`.
    pub basis: DateBasis,
    /// The rules' assumptions an assumed verdict rests on, each named (empty otherwise).
    pub assumptions: Vec<String>,
    /// Its traffic light on each key date, in order.
    pub lights: Vec<LightOut>,
    /// A Good outcome's checkpoint; null for a Required outcome or one that does not apply.
    pub checkpoint: Option<CheckpointOut>,
}

/// An outcome's traffic light on one key date.
#[derive(Debug, Clone, Serialize)]
pub struct LightOut {
    /// The key date.
    pub date: NaiveDate,
    /// `recorded` or `forecast`.
    pub when: When,
    /// `green`, `amber`, `red`, or `black` for an outcome the council does not deliver.
    pub colour: Colour,
    /// The rule's reason.
    pub reason: String,
    /// What the light rests on: `stated`, `derived` or `assumed`.
    pub basis: DateBasis,
}

/// A Good outcome's checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct CheckpointOut {
    /// The checkpoint date.
    pub date: NaiveDate,
    /// `recorded` or `forecast`.
    pub when: When,
    /// Approved and in active implementation by then.
    pub met: bool,
    /// The rule's reason.
    pub reason: String,
    /// What the judgement rests on.
    pub basis: DateBasis,
}

/// The BVPI 157 figures of the return.
#[derive(Debug, Clone, Serialize)]
pub struct BvpiLine {
    /// The share enabled when the routemap was written.
    pub baseline_percent: u32,
    /// The target.
    pub target_percent: u32,
    /// Its deadline.
    pub deadline: NaiveDate,
    /// The percentage forecast enabled on the deadline.
    pub forecast_percent_at_deadline: u32,
    /// The interaction groups not forecast enabled by the deadline.
    pub missed: Vec<String>,
    /// The percentage on each key date: the routemap's figure for a recorded date (it records
    /// none before its as-of date), the forecast for a later one.
    pub at_key_dates: Vec<BvpiAt>,
}

/// The BVPI 157 percentage on a key date.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct BvpiAt {
    /// The key date.
    pub date: NaiveDate,
    /// `recorded` or `forecast`.
    pub when: When,
    /// The percentage of customer-facing processes e-enabled.
    pub percent: u32,
}

fn light_out(j: &Judgement<Colour>) -> LightOut {
    LightOut {
        date: j.at.date,
        when: When::of(j.at.recorded),
        colour: j.value,
        reason: j.reason.clone(),
        basis: j.basis,
    }
}

fn checkpoint_out(j: &Judgement<bool>) -> CheckpointOut {
    CheckpointOut {
        date: j.at.date,
        when: When::of(j.at.recorded),
        met: j.value,
        reason: j.reason.clone(),
        basis: j.basis,
    }
}

/// The rules' assumptions an assumed verdict rests on, as the assessment words them.
fn assumptions(e: &Evaluated, r: &OutcomeResult) -> Vec<String> {
    if r.basis != DateBasis::Assumed || r.standing == Standing::NotApplicable {
        return Vec::new();
    }
    r.assumptions.iter().filter_map(|n| e.assessment.basis.assumption[n.index()].clone()).collect()
}

/// The evidence for an outcome's position, and for a position that rests on the rules'
/// assumptions, what they assumed.
fn evidence(e: &Evaluated, r: &OutcomeResult) -> String {
    let mut out = dated_evidence(e, r);
    if r.basis == DateBasis::Assumed && r.standing != Standing::NotApplicable {
        let assumed = assumptions(e, r);
        if assumed.is_empty() {
            out.push_str(&format!("; this position rests on the rules' assumption: {}", r.reason));
        } else {
            out.push_str(&format!(
                "; this position rests on the rules' assumptions, not the Council's own dates: {}",
                assumed.join("; ")
            ));
        }
    }
    out
}

fn dated_evidence(e: &Evaluated, r: &OutcomeResult) -> String {
    let v = &r.facts;
    if r.standing == Standing::NotApplicable {
        return r.reason.clone();
    }
    if v.tasks_total == 0 {
        // The rules' own words for an outcome nothing in the routemap delivers.
        return r.reason.clone();
    }
    let open = v.tasks_total - v.tasks_complete;
    if r.standing == Standing::Achieved && open > 0 && v.council_tasks == v.council_tasks_complete {
        return format!(
            "the Council's {} task(s) complete; {open} task(s) a partnership leads still open",
            v.council_tasks
        );
    }
    let tasks = format!("{} of {} tasks complete", v.tasks_complete, v.tasks_total);
    let chain: Vec<&str> = r.drivers.iter().filter(|n| **n != r.node).map(|n| e.id(*n)).collect();
    let set_by =
        if chain.is_empty() { String::new() } else { format!(", set by {}", chain.join(" > ")) };
    let floor = e.assessment.floor[r.node.index()];
    match (r.forecast, floor) {
        (Some(f), _) if v.tasks_total > 0 && v.tasks_complete == v.tasks_total => {
            format!("{tasks}, the last by {}", text::short_date(f))
        }
        (Some(f), _) => format!(
            "{tasks}; forecast {} ({}){set_by}",
            text::short_date(f),
            text::slack_words(r.slack_days)
        ),
        (None, Some(d)) => {
            format!("{tasks}; no forecast, not before {}{set_by}", text::short_date(d))
        }
        (None, None) => format!("{tasks}; no forecast{set_by}"),
    }
}

impl IegReturn {
    /// The return from the forecast, the rules' positions and judgements (one per outcome, in
    /// order), the key dates and the BVPI 157 forecast.
    pub fn new(
        e: &Evaluated,
        positions: &[String],
        judged: &[Judged],
        dates: &KeyDates,
        bvpi: Option<&BvpiForecast>,
    ) -> Self {
        let as_of = e.assessment.basis.as_of;
        let key_dates: Vec<KeyDateOut> = dates
            .dates
            .iter()
            .map(|d| KeyDateOut { date: *d, when: When::of(*d <= as_of) })
            .collect();
        let outcomes = e
            .assessment
            .outcomes
            .iter()
            .zip(positions)
            .zip(judged)
            .map(|((r, position), j)| {
                let o = e.model.outcome(e.id(r.node));
                ReturnLine {
                    code: e.id(r.node).to_string(),
                    title: o.map(|o| o.title.clone()).unwrap_or_default(),
                    category: r.category,
                    position: position.clone(),
                    status: r.standing,
                    deadline: r.deadline,
                    expected: r.forecast,
                    no_earlier_than: r
                        .forecast
                        .is_none()
                        .then(|| e.assessment.floor[r.node.index()])
                        .flatten(),
                    evidence: evidence(e, r),
                    basis: r.basis,
                    assumptions: assumptions(e, r),
                    lights: j.lights.iter().map(light_out).collect(),
                    checkpoint: j.checkpoint.as_ref().map(checkpoint_out),
                }
            })
            .collect();
        IegReturn {
            as_of,
            council: e.model.document.council.clone(),
            outcomes,
            bvpi157: bvpi.map(|f| BvpiLine {
                baseline_percent: f.baseline_percent,
                target_percent: f.target_percent,
                deadline: f.deadline,
                forecast_percent_at_deadline: f.percent_at_deadline,
                missed: f
                    .groups
                    .iter()
                    .filter(|g| !g.on_time)
                    .map(|g| g.interaction.clone())
                    .collect(),
                at_key_dates: key_dates
                    .iter()
                    .map(|k| BvpiAt { date: k.date, when: k.when, percent: f.percent_on(k.date) })
                    .collect(),
            }),
            model: ModelInfo::new(e.model),
            rules: e.rules_info(),
            key_dates,
            checkpoint_date: dates.checkpoint,
        }
    }

    fn expected_text(l: &ReturnLine) -> String {
        if l.status == Standing::NotApplicable {
            return "not applicable".to_string();
        }
        match (l.expected, l.no_earlier_than) {
            (Some(d), _) => text::long_date(d),
            (None, Some(d)) => format!("not before {}", text::long_date(d)),
            (None, None) => "not known".to_string(),
        }
    }

    /// A light as a paper writes it: `Amber`, marked when it rests on a rule's assumption.
    fn light_words(l: &LightOut) -> String {
        let mark = if l.basis == DateBasis::Assumed && l.colour != Colour::Black {
            ASSUMED_MARK
        } else {
            ""
        };
        format!("{}{mark}", capitalised(l.colour.as_str()))
    }

    /// A checkpoint as a paper writes it: `Met`, `Not met`, or `n/a` for a Required outcome or
    /// one that does not apply.
    fn checkpoint_words(l: &ReturnLine) -> String {
        match &l.checkpoint {
            Some(c) => {
                let mark = if c.basis == DateBasis::Assumed { ASSUMED_MARK } else { "" };
                format!("{}{mark}", if c.met { "Met" } else { "Not met" })
            }
            None => "n/a".to_string(),
        }
    }

    /// The evidence column of the paper: the basis and, where assumed, the assumptions named;
    /// the dated evidence; why each light (consecutive dates with the same light and reason
    /// together); and why the checkpoint.
    fn evidence_words(l: &ReturnLine) -> String {
        // A council that does not deliver an outcome has no date for it to rest on.
        let mut out = if l.status == Standing::NotApplicable {
            format!("{}.", capitalised(&l.evidence))
        } else {
            format!("Basis: {}. {}.", l.basis.as_str(), capitalised(&l.evidence))
        };
        let mut groups: Vec<(Vec<NaiveDate>, &LightOut)> = Vec::new();
        for light in &l.lights {
            match groups.last_mut() {
                Some((dates, last))
                    if last.colour == light.colour
                        && last.reason == light.reason
                        && last.when == light.when =>
                {
                    dates.push(light.date)
                }
                _ => groups.push((vec![light.date], light)),
            }
        }
        if l.status != Standing::NotApplicable && !groups.is_empty() {
            let said: Vec<String> = groups
                .iter()
                .map(|(dates, light)| {
                    let dates: Vec<String> = dates.iter().map(|d| text::short_date(*d)).collect();
                    format!(
                        "{} ({}) {}: {}",
                        capitalised(light.colour.as_str()),
                        light.when.as_str(),
                        dates.join(", "),
                        light.reason
                    )
                })
                .collect();
            out.push_str(&format!(" Lights: {}.", said.join("; ")));
        }
        if let Some(c) = &l.checkpoint {
            let met = if c.met { "met" } else { "not met" };
            out.push_str(&format!(
                " Checkpoint {} ({}): {met}, {}.",
                text::short_date(c.date),
                c.when.as_str(),
                c.reason
            ));
        }
        out
    }

    /// CSV, one row per outcome, ready to load into a spreadsheet: the columns of earlier
    /// releases first, then the basis and assumptions, a light and its reason for each key
    /// date (the reason led by `recorded:` or `forecast:`), and the checkpoint.
    pub fn csv(&self) -> String {
        let mut headers: Vec<String> = [
            "code",
            "category",
            "title",
            "position",
            "status",
            "deadline",
            "expected",
            "no_earlier_than",
            "evidence",
            "basis",
            "assumptions",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        for k in &self.key_dates {
            headers.push(format!("light_{}", k.date));
            headers.push(format!("reason_{}", k.date));
        }
        headers.push(format!("checkpoint_{}", self.checkpoint_date));
        headers.push(format!("checkpoint_reason_{}", self.checkpoint_date));
        let rows: Vec<Vec<String>> = self
            .outcomes
            .iter()
            .map(|l| {
                let mut row = vec![
                    l.code.clone(),
                    l.category.as_str().to_string(),
                    l.title.clone(),
                    l.position.clone(),
                    l.status.as_str().to_string(),
                    l.deadline.to_string(),
                    text::or_blank(l.expected),
                    text::or_blank(l.no_earlier_than),
                    l.evidence.clone(),
                    l.basis.as_str().to_string(),
                    l.assumptions.join("; "),
                ];
                for light in &l.lights {
                    row.push(light.colour.as_str().to_string());
                    row.push(format!("{}: {}", light.when.as_str(), light.reason));
                }
                match &l.checkpoint {
                    Some(c) => {
                        row.push(if c.met { "met" } else { "not met" }.to_string());
                        row.push(format!("{}: {}", c.when.as_str(), c.reason));
                    }
                    None => row.extend([String::new(), String::new()]),
                }
                row
            })
            .collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        text::csv(&headers, &rows)
    }

    /// `31 Mar 2005 (recorded)`: a key date as a column heading.
    fn date_heading(k: &KeyDateOut) -> String {
        format!("{} ({})", text::short_date(k.date), k.when.as_str())
    }

    /// What the key dates' lights mean: which are recorded and which forecast.
    fn dates_line(&self) -> String {
        let recorded: Vec<String> = self
            .key_dates
            .iter()
            .filter(|k| k.when == When::Recorded)
            .map(|k| text::long_date(k.date))
            .collect();
        let as_of = text::long_date(self.as_of);
        let forecast =
            "a light on a later date is the forecast's: what it says will be done by then";
        if recorded.is_empty() {
            format!("Every key date is after the as-of date, {as_of}: {forecast}.")
        } else {
            format!(
                "A light on a date on or before the as-of date, {as_of} ({}), is recorded: what the routemap says was done by then, with what was still to do judged on today's forecast (the routemap holds no earlier one); {forecast}.",
                recorded.join(", ")
            )
        }
    }

    /// The return as a paper: BVPI 157, then the Required and Good outcomes' lights.
    pub fn paper(&self, e: &Evaluated) -> Paper {
        let mut doc = Paper {
            title: format!("{}: IEG return, priority outcomes", self.council),
            blocks: vec![Block::Heading(2, "IEG return: priority outcomes".into())],
        };
        doc.push(para(e.provenance()));
        match &self.bvpi157 {
            Some(b) => {
                let missed = if b.missed.is_empty() {
                    "every interaction group is forecast enabled by then".to_string()
                } else {
                    format!("not forecast enabled by then: {}", b.missed.join("; "))
                };
                doc.push(labelled(
                    "BVPI 157",
                    format!(
                        "{}% of customer-facing processes forecast e-enabled on {}, against a target of {}% ({}% in the baseline); {}.",
                        b.forecast_percent_at_deadline,
                        text::long_date(b.deadline),
                        b.target_percent,
                        b.baseline_percent,
                        missed,
                    ),
                ));
                doc.push(Block::Table {
                    headers: vec!["Key date".into(), "When".into(), "% e-enabled".into()],
                    rows: b
                        .at_key_dates
                        .iter()
                        .map(|a| {
                            vec![
                                Cell::Date(a.date, super::document::DateStyle::Long),
                                Cell::from(a.when.as_str()),
                                Cell::Text(format!("{}%", a.percent)),
                            ]
                        })
                        .collect(),
                });
            }
            None => doc.push(labelled("BVPI 157", "the model has no BVPI 157 table.")),
        }
        doc.push(labelled("Key dates", self.dates_line()));
        doc.push(para(format!(
            "Green: achieved, or on course for its deadline; amber: at risk, not yet known, or achieved after its deadline; red: will not be, or was not, achieved by its deadline; black: not applicable, the council does not deliver it. {ASSUMED_MARK} the light rests on a rule's assumption, not on the council's own dates (named in the evidence). The colours come from the light rule in rules/ieg.rhai, a council's to change (docs/ieg-return.md)."
        )));
        for (category, heading) in
            [(Category::Required, "Required outcomes"), (Category::Good, "Good outcomes")]
        {
            let lines: Vec<&ReturnLine> =
                self.outcomes.iter().filter(|l| l.category == category).collect();
            if lines.is_empty() {
                continue;
            }
            let mut headers: Vec<String> = vec!["Code".into(), "Outcome".into()];
            headers.extend(self.key_dates.iter().map(Self::date_heading));
            if category == Category::Good {
                headers.push(format!(
                    "Approved and in active implementation by {}",
                    text::short_date(self.checkpoint_date)
                ));
            }
            headers.extend(["Position".into(), "Expected".into(), "Evidence".into()]);
            let rows = lines
                .iter()
                .map(|l| {
                    let mut row: Vec<Cell> = vec![l.code.clone().into(), l.title.clone().into()];
                    row.extend(l.lights.iter().map(|x| Cell::Text(Self::light_words(x))));
                    if category == Category::Good {
                        row.push(Cell::Text(Self::checkpoint_words(l)));
                    }
                    row.extend([
                        l.position.clone().into(),
                        Self::expected_text(l).into(),
                        Self::evidence_words(l).into(),
                    ]);
                    row
                })
                .collect();
            doc.push(Block::Heading(3, heading.into()));
            doc.push(Block::Table { headers, rows });
        }
        doc
    }

    /// Aligned text: each outcome's status, its light on each key date and its checkpoint,
    /// worst first.
    pub fn table(&self, e: &Evaluated, t: &Terminal) -> String {
        let colour = t.colour;
        let mut order: Vec<usize> = (0..self.outcomes.len()).collect();
        order.sort_by_key(|&i| super::standing::worst_first(e.assessment.outcomes[i].standing));
        let rows: Vec<Vec<(String, String)>> = order
            .into_iter()
            .map(|i| {
                let l = &self.outcomes[i];
                let mut row = vec![
                    text::cell(&l.code),
                    colour.status_cell(e.assessment.outcomes[i].standing),
                ];
                row.extend(l.lights.iter().map(|x| {
                    let words = Self::light_words(x).to_lowercase();
                    (words.clone(), colour.standing(light_standing(x.colour), &words))
                }));
                row.push(text::cell(match &l.checkpoint {
                    Some(c) if c.met => "met",
                    Some(_) => "not met",
                    None => "",
                }));
                row.push(text::cell(Self::expected_text(l)));
                row
            })
            .collect();
        let mut headers: Vec<String> = vec!["code".into(), "status".into()];
        headers.extend(self.key_dates.iter().map(|k| text::short_date(k.date)));
        headers.push(format!("{} checkpoint", text::short_date(self.checkpoint_date)));
        headers.push("expected".into());
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        format!(
            "IEG return: priority outcomes: {}\n\n{}\n\n{}",
            e.provenance(),
            text::wrap(&self.dates_line(), t.width),
            text::table(t, &headers, &rows)
        )
    }
}

/// `amber` as `Amber`.
fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The standing whose terminal colour a light is drawn in.
fn light_standing(c: Colour) -> Standing {
    match c {
        Colour::Green => Standing::OnTrack,
        Colour::Amber => Standing::AtRisk,
        Colour::Red => Standing::OffTrack,
        Colour::Black => Standing::NotApplicable,
    }
}

/// `ieg-return`: the return with the routemap it was written from.
pub struct IegReport<'a> {
    /// The routemap.
    pub e: Evaluated<'a>,
    /// The return.
    pub r: IegReturn,
}

impl Render for IegReport<'_> {
    const FORMATS: &'static [Format] =
        &[Format::Csv, Format::Table, Format::Json, Format::Md, Format::Html, Format::Docx];

    fn render(&self, format: Format, t: &Terminal) -> Result<Rendered, Error> {
        match format {
            Format::Csv => render::text(self.r.csv()),
            Format::Table => render::text(self.r.table(&self.e, t)),
            Format::Json => render::text(super::json::to_string(&self.r)),
            Format::Md => render::text(self.r.paper(&self.e).markdown()),
            Format::Html => render::text(self.r.paper(&self.e).html()),
            Format::Docx => Ok(Rendered::Bytes(super::docx::docx(&self.r.paper(&self.e))?)),
            Format::Svg | Format::Dot | Format::Mermaid => Err(not_written(format)),
        }
    }
}
