//! The rule test file format (docs/rules.md, "Testing your rules"): cases, their models, slips,
//! hook inputs and expectations, read with every unknown key an error at its line and column.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::model::{Action, Bvpi157, CmtRisk, Document, FundingStream, Project, Risk};

/// A whole test file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One test case: a model run through the rules, or one hook called directly.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What it checks, in words.
    pub name: String,
    /// A small model written in the case, read with the embedded outcomes catalogue.
    #[serde(default)]
    pub model: Option<InlineModel>,
    /// A model file, relative to the test file.
    #[serde(default)]
    pub model_file: Option<String>,
    /// Judge the model on this date instead of its issue date.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// Slips applied before the expectations are checked, as a scenario file writes them.
    #[serde(default)]
    pub slips: Vec<String>,
    /// A hook to call directly (`classify`, `own_finish`...): a unit test of one rule.
    #[serde(default)]
    pub hook: Option<String>,
    /// The hook's arguments.
    #[serde(default)]
    pub with: Option<HookInputs>,
    /// What the user should see.
    pub expect: Expect,
}

/// A model as docs/model.md describes it, without `catalogue` (the national one is built in)
/// and with `document` optional.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InlineModel {
    /// The title block; by default an example council issued on the case's `as_of` date (or
    /// 13 April 2005).
    #[serde(default)]
    pub document: Option<Document>,
    /// Projects, national projects and milestones.
    #[serde(default)]
    pub projects: Vec<Project>,
    /// Actions and their tasks.
    #[serde(default)]
    pub actions: Vec<Action>,
    /// IEG funding streams.
    #[serde(default)]
    pub funding: Vec<FundingStream>,
    /// The risk register.
    #[serde(default)]
    pub risks: Vec<Risk>,
    /// CMT risks.
    #[serde(default)]
    pub cmt_risks: Vec<CmtRisk>,
    /// The BVPI 157 table.
    #[serde(default)]
    pub bvpi157: Option<Bvpi157>,
    /// The council's own status words.
    #[serde(default)]
    pub status_words: std::collections::BTreeMap<String, crate::model::Status>,
    /// Outcomes the council does not deliver.
    #[serde(default)]
    pub not_applicable: Vec<crate::model::NotApplicable>,
}

/// What a case expects.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Per outcome code.
    #[serde(default)]
    pub outcomes: BTreeMap<String, OutcomeExpect>,
    /// The funding exposure.
    #[serde(default)]
    pub exposure: Option<ExposureExpect>,
    /// Per register risk `ref`: its score on the forecast.
    #[serde(default)]
    pub risks: BTreeMap<String, RiskExpect>,
    /// Work that must be among the proposed actions.
    #[serde(default)]
    pub proposed: Vec<String>,
    /// Work that must not be among the proposed actions.
    #[serde(default)]
    pub not_proposed: Vec<String>,
    /// A hook case: the value it returns, or for a map the fields listed.
    #[serde(default)]
    pub returns: Option<serde_yaml::Value>,
    /// A hook case: text fields of the returned map that contain a phrase.
    #[serde(default)]
    pub contains: BTreeMap<String, String>,
}

/// What an outcome should show.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeExpect {
    /// `achieved`, `on_track`, `at_risk`, `off_track` or `unknown`.
    #[serde(default)]
    pub status: Option<String>,
    /// A date, or `unknown`.
    #[serde(default)]
    pub forecast: Option<String>,
    /// Days of slack (negative: late).
    #[serde(default)]
    pub slack_days: Option<i64>,
    /// A phrase the classifying rule's reason contains.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What the exposure should be.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExposureExpect {
    /// Pounds at risk across every stream.
    #[serde(default)]
    pub at_risk_gbp: Option<u64>,
    /// Pounds at risk per stream id.
    #[serde(default)]
    pub streams: BTreeMap<String, u64>,
}

/// How a register risk should be scored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskExpect {
    /// `High`, `Medium` or `Low`.
    #[serde(default)]
    pub likelihood: Option<String>,
    /// `High`, `Medium` or `Low`.
    #[serde(default)]
    pub impact: Option<String>,
    /// Whether the rules assess it at all.
    #[serde(default)]
    pub assessed: Option<bool>,
}

/// The arguments of a hook, by the names docs/rules.md gives them.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookInputs {
    /// For `deadline`, `classify`, `weight`, `propose`.
    #[serde(default)]
    pub outcome: Option<OutcomeInput>,
    /// For `own_finish`, `done_on`, `follow_on`.
    #[serde(default)]
    pub work: Option<WorkInput>,
    /// For `follow_on`: what `work` waits on.
    #[serde(default)]
    pub waits_on: Option<WorkInput>,
    /// For `follow_on`: the dependency itself.
    #[serde(default)]
    pub edge: Option<EdgeInput>,
    /// For `target` (bvpi.rhai): the BVPI 157 table as a map, written as the hook sees it.
    #[serde(default)]
    pub table: Option<serde_yaml::Value>,
    /// For `enabled` (bvpi.rhai): an interaction group as a map, written as the hook sees it.
    #[serde(default)]
    pub group: Option<serde_yaml::Value>,
    /// For `stream_at_risk`.
    #[serde(default)]
    pub stream: Option<StreamInput>,
    /// For `assess`.
    #[serde(default)]
    pub risk: Option<RiskInput>,
    /// For `assess`.
    #[serde(default)]
    pub evidence: Option<EvidenceInput>,
    /// For `share`: `required` or `good`.
    #[serde(default)]
    pub category: Option<String>,
    /// For `share` and `propose`: an outcome status.
    #[serde(default)]
    pub status: Option<String>,
    /// For `slip` (simulate.rhai): the learnt evidence as a map, written as the hook sees it.
    #[serde(default)]
    pub learnt: Option<serde_yaml::Value>,
    /// For `light` and `checkpoint` (ieg.rhai): where the outcome stands on a key date, as a
    /// map written as the hook sees it.
    #[serde(default)]
    pub at: Option<serde_yaml::Value>,
}

/// An outcome as `deadline`, `classify`, `weight` and `propose` see it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// `R8`; its letter gives the category unless `category` is written.
    pub code: String,
    /// `required` or `good`.
    #[serde(default)]
    pub category: Option<String>,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Priority area.
    #[serde(default)]
    pub area: String,
    /// Its deadline.
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    /// Its forecast.
    #[serde(default)]
    pub forecast: Option<NaiveDate>,
    /// The earliest it can finish.
    #[serde(default)]
    pub no_earlier_than: Option<NaiveDate>,
    /// Deadline minus forecast; by default worked out from the two.
    #[serde(default)]
    pub slack_days: Option<i64>,
    /// The as-of date; by default the case's.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// Tasks serving it directly.
    #[serde(default)]
    pub tasks_total: i64,
    /// Of which complete.
    #[serde(default)]
    pub tasks_complete: i64,
    /// Of which not started.
    #[serde(default)]
    pub tasks_not_started: i64,
    /// Assumed dates on its driving chain.
    #[serde(default)]
    pub assumed_drivers: i64,
    /// Assumed dates upstream.
    #[serde(default)]
    pub assumptions: i64,
    /// All its work delivered by a partnership.
    #[serde(default)]
    pub partnership: bool,
    /// Tasks serving it that the council itself leads; by default every task unless
    /// `partnership`.
    #[serde(default)]
    pub council_tasks: Option<i64>,
    /// Of those, complete; by default `tasks_complete` unless `partnership`.
    #[serde(default)]
    pub council_tasks_complete: Option<i64>,
    /// What its forecast rests on: `stated`, `derived` or `assumed`.
    #[serde(default)]
    pub basis: Option<String>,
    /// The council's tier.
    #[serde(default)]
    pub council_tier: Option<String>,
    /// The tiers that deliver it (empty: every tier).
    #[serde(default)]
    pub delivered_by: Vec<String>,
    /// The model's reason for marking it not applicable.
    #[serde(default)]
    pub not_applicable: Option<String>,
}

/// A dependency as `follow_on` sees it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeInput {
    /// The model marks it implied.
    #[serde(default)]
    pub implied: bool,
}

/// A piece of work as `own_finish`, `done_on` and `follow_on` see it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkInput {
    /// Task id or project slug.
    #[serde(default = "default_id")]
    pub id: String,
    /// `task`, `project`, `national` or `milestone`.
    #[serde(default = "default_kind")]
    pub kind: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// A normalised status (`not_started`...).
    #[serde(default = "default_status")]
    pub status: String,
    /// The status as written.
    #[serde(default)]
    pub status_text: String,
    /// `date`, `start`, `ongoing`, `tbd` or `unset`.
    #[serde(default = "default_target")]
    pub target: String,
    /// The target phrase's date.
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
    /// The target phrase as written.
    #[serde(default)]
    pub phrase: String,
    /// A project's start beside its finish.
    #[serde(default)]
    pub start_date: Option<NaiveDate>,
    /// The task's comments, or the project's progress text.
    #[serde(default)]
    pub comments: String,
    /// How many pieces of work it waits on.
    #[serde(default)]
    pub waits_on: i64,
    /// A stated duration (`6m`, `90d`).
    #[serde(default)]
    pub duration: Option<String>,
    /// Delivered by a partnership.
    #[serde(default)]
    pub partnership: bool,
    /// The earliest deadline of the outcomes it serves.
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    /// The earliest date the work waiting on it needs it by.
    #[serde(default)]
    pub needed_by: Option<NaiveDate>,
    /// A three-point estimate: earliest, likely and latest dates.
    #[serde(default)]
    pub estimate: Option<EstimateInput>,
    /// The as-of date; by default the case's.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// The routemap's issue date; by default the as-of date.
    #[serde(default)]
    pub reported: Option<NaiveDate>,
}

/// A three-point estimate as a hook sees it: three dates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimateInput {
    /// The earliest finish.
    pub earliest: NaiveDate,
    /// The likeliest finish.
    pub likely: NaiveDate,
    /// The latest finish.
    pub latest: NaiveDate,
}

fn default_id() -> String {
    "1.1".into()
}

fn default_kind() -> String {
    "task".into()
}

fn default_status() -> String {
    "not_started".into()
}

fn default_target() -> String {
    "unset".into()
}

/// A funding stream as `stream_at_risk` sees it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamInput {
    /// Slug.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// `2005/06`.
    #[serde(default)]
    pub financial_year: String,
    /// Whole pounds.
    #[serde(default)]
    pub amount_gbp: i64,
    /// When it was paid, if known.
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
    /// The as-of date; by default the case's.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
}

/// A register risk as `assess` sees it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskInput {
    /// The register number.
    #[serde(default, rename = "ref")]
    pub reference: String,
    /// Title.
    #[serde(default)]
    pub title: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// As the register records it.
    #[serde(default)]
    pub likelihood: Option<String>,
    /// As the register records it.
    #[serde(default)]
    pub impact: Option<String>,
    /// As the register records it.
    #[serde(default)]
    pub residual_likelihood: Option<String>,
}

/// The evidence `assess` sees: outcome counts by category and status, and the rest.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// Required outcomes by status (`off_track: 3`).
    #[serde(default)]
    pub required: StatusCounts,
    /// Good outcomes by status.
    #[serde(default)]
    pub good: StatusCounts,
    /// Of the Required outcomes, those whose status rests on a rule's assumption, by status.
    #[serde(default)]
    pub required_assumed: StatusCounts,
    /// Of the Good outcomes, those whose status rests on a rule's assumption, by status.
    #[serde(default)]
    pub good_assumed: StatusCounts,
    /// Least slack of a Required outcome not achieved.
    #[serde(default)]
    pub required_least_slack: Option<i64>,
    /// The latest Required deadline.
    #[serde(default)]
    pub required_deadline: Option<NaiveDate>,
    /// Grant at risk.
    #[serde(default)]
    pub exposure_gbp: i64,
    /// The whole grant.
    #[serde(default)]
    pub total_gbp: i64,
    /// The as-of date; by default the case's.
    #[serde(default)]
    pub as_of: Option<NaiveDate>,
    /// A simulation's share of runs in which 0, 1, 2... Required outcomes missed their
    /// deadline (absent: no simulation).
    #[serde(default)]
    pub required_misses: Vec<f64>,
}

/// Outcomes of one category by status.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusCounts {
    /// Achieved.
    #[serde(default)]
    pub achieved: i64,
    /// On track.
    #[serde(default)]
    pub on_track: i64,
    /// At risk.
    #[serde(default)]
    pub at_risk: i64,
    /// Off track.
    #[serde(default)]
    pub off_track: i64,
    /// Unknown.
    #[serde(default)]
    pub unknown: i64,
    /// Not applicable.
    #[serde(default)]
    pub not_applicable: i64,
}

impl StatusCounts {
    /// In [`crate::assess::Standing::ALL`] order.
    pub fn counts(&self) -> [i64; 6] {
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
