//! The routemap model: the typed form of a council's routemap YAML, and its loading.
//!
//! Fields named after the YAML are deserialised as written; the fields marked `serde(skip)` are
//! filled by validation in [`load`] (parsed target phrases, normalised statuses, default ids).

pub(crate) mod by_text;
mod chars;
mod load;
mod locate;
mod schema;
pub mod status;
pub mod target;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use load::{MAX_ID_CHARS, MAX_TEXT_CHARS};
pub(crate) use load::{MAX_PHRASE_CHARS, inline, parse_yaml, text_problem};
pub use load::{Origin, Source, action_id, catalogue_path, load, load_embedded, short_hash};
pub use locate::Located;
pub use status::Status;
pub use target::Target;

/// A whole routemap: document details, the outcomes catalogue, actions, projects and registers.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Title block of the routemap document.
    pub document: Document,
    /// Path of an outcomes catalogue, relative to the model file, whose outcomes override the
    /// built-in national catalogue's by code (and may add more). Default: the national one.
    #[serde(default)]
    pub catalogue: Option<String>,
    /// The council's own status words and what each means (`Delayed: in_progress`), beside the
    /// built-in ones; a word here overrides a built-in one.
    #[serde(default, deserialize_with = "unique_keys")]
    pub status_words: std::collections::BTreeMap<String, Status>,
    /// Enabling projects, national projects and milestones.
    #[serde(default, deserialize_with = "exact")]
    pub projects: Vec<Project>,
    /// Numbered actions and partnership work.
    #[serde(default, deserialize_with = "exact")]
    pub actions: Vec<Action>,
    /// IEG funding streams.
    #[serde(default)]
    pub funding: Vec<FundingStream>,
    /// Strategic risk register entries.
    #[serde(default)]
    pub risks: Vec<Risk>,
    /// Risks identified by the Corporate Management Team, with countermeasures.
    #[serde(default)]
    pub cmt_risks: Vec<CmtRisk>,
    /// The BVPI 157 interaction table.
    #[serde(default)]
    pub bvpi157: Option<Bvpi157>,
    /// Outcomes the council does not deliver, each with its reason, beside those its tier does
    /// not deliver (the catalogue's `tiers`).
    #[serde(default)]
    pub not_applicable: Vec<NotApplicable>,
    /// The 54 outcomes, from the catalogue, sorted R1..R29 then G1..G25.
    #[serde(skip)]
    pub outcomes: Vec<Outcome>,
    /// The files it was read from.
    #[serde(skip)]
    pub origin: load::Origin,
}

/// A map whose keys must differ: serde would keep the last of two equal keys silently (the
/// loader then reports every key given twice, each at its place).
fn unique_keys<'de, D, V>(de: D) -> Result<std::collections::BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Keys<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Keys<V> {
        type Value = std::collections::BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = std::collections::BTreeMap::new();
            while let Some((key, value)) = map.next_entry::<String, V>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(format_args!("duplicate key `{key}`")));
                }
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    de.deserialize_map(Keys(std::marker::PhantomData))
}

/// A list held at its length: serde grows a list as it reads it, to as much as twice its
/// length, and a large model's tasks and dependencies are most of its memory.
fn exact<'de, D, T>(de: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut list = Vec::<T>::deserialize(de)?;
    list.shrink_to_fit();
    Ok(list)
}

/// The routemap document's title block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The council whose routemap this is.
    pub council: String,
    /// The document title.
    pub title: String,
    /// The version, as written.
    pub version: String,
    /// The issue date: the as-of date unless the user gives another.
    pub issue_date: NaiveDate,
    /// The Cabinet meeting the document goes to, if given.
    #[serde(default)]
    pub target_cabinet: Option<NaiveDate>,
    /// The kind of council, which decides the outcomes it delivers (none given: every outcome).
    #[serde(default)]
    pub tier: Option<Tier>,
}

/// The kind of council: which services it delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// A shire district: housing, planning, waste collection, council tax; no schools or social
    /// care.
    District,
    /// A shire county: schools, social care, libraries, highways, waste disposal.
    County,
    /// A unitary authority: every service.
    Unitary,
    /// A metropolitan borough: every service.
    Metropolitan,
    /// A London borough: every service.
    LondonBorough,
}

impl Tier {
    /// The snake-case name used in files, output and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::District => "district",
            Tier::County => "county",
            Tier::Unitary => "unitary",
            Tier::Metropolitan => "metropolitan",
            Tier::LondonBorough => "london_borough",
        }
    }
}

/// An outcome a model says the council does not deliver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotApplicable {
    /// The outcome code.
    pub outcome: String,
    /// Why it does not apply (who delivers it instead).
    pub reason: String,
}

/// A three-point estimate for work the routemap gives no date: each point a target phrase
/// (`Dec 2005`) or a length of time (`6m`, counted from the work's start where it has one, else
/// from the as-of date).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Estimate {
    /// The earliest it could finish, as written.
    pub earliest: String,
    /// The likeliest finish, as written: the forecast uses this.
    pub likely: String,
    /// The latest it could finish, as written.
    pub latest: String,
    /// A short quote from the routemap the estimate rests on, or who made it.
    #[serde(default)]
    pub source: Option<String>,
    /// The three points, parsed.
    #[serde(skip)]
    pub points: [Point; 3],
}

/// One point of an estimate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Point {
    /// By this date.
    By(NaiveDate),
    /// This long after the work's start, or the as-of date.
    After(Span),
    /// Not parsed (the model was refused).
    #[default]
    Unread,
}

impl Point {
    /// The date this point names, counting a length of time from `from`.
    pub fn date(self, from: NaiveDate) -> Option<NaiveDate> {
        match self {
            Point::By(d) => Some(d),
            Point::After(span) => span.checked_after(from),
            Point::Unread => None,
        }
    }
}

/// The outcomes catalogue file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Every ODPM priority outcome.
    pub outcomes: Vec<Outcome>,
}

/// How an outcome stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Standing {
    /// Every task done.
    Achieved,
    /// Forecast to meet its deadline on stated targets.
    OnTrack,
    /// Forecast to meet its deadline, but only just or only on assumptions.
    AtRisk,
    /// Forecast to miss its deadline.
    OffTrack,
    /// No forecast can be made.
    Unknown,
    /// The council does not deliver it (its tier, or the model, says so): black in RAG terms.
    NotApplicable,
}

impl Standing {
    /// Every standing, best first, not applicable last.
    pub const ALL: [Standing; 6] = [
        Standing::Achieved,
        Standing::OnTrack,
        Standing::AtRisk,
        Standing::OffTrack,
        Standing::Unknown,
        Standing::NotApplicable,
    ];

    /// The snake-case name used in output and rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Achieved => "achieved",
            Standing::OnTrack => "on_track",
            Standing::AtRisk => "at_risk",
            Standing::OffTrack => "off_track",
            Standing::Unknown => "unknown",
            Standing::NotApplicable => "not_applicable",
        }
    }

    /// The standing named `s`, as `as_str` writes it.
    pub fn parse(s: &str) -> Option<Standing> {
        Standing::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Written as [`Standing::as_str`] names it.
impl Serialize for Standing {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Whether an outcome is Required (by 31 December 2005) or Good (by 1 April 2006).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// `R1`..`R29`.
    Required,
    /// `G1`..`G25`.
    Good,
}

impl Category {
    /// The lower-case name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Required => "required",
            Category::Good => "good",
        }
    }
}

/// An ODPM priority outcome.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// `R8`, `G19`.
    pub code: String,
    /// Required or good.
    pub category: Category,
    /// The outcome as the routemap words it.
    pub title: String,
    /// The priority service or transformation area.
    pub area: String,
    /// The kinds of council that deliver it; empty: every kind.
    #[serde(default)]
    pub tiers: Vec<Tier>,
    /// The kind of council whose model this is (the model's `document.tier`).
    #[serde(skip)]
    pub council_tier: Option<Tier>,
    /// The model's reason for marking it not applicable (its `not_applicable` entry), if it does.
    #[serde(skip)]
    pub marked_not_applicable: Option<String>,
}

impl Outcome {
    /// The sort key that orders outcomes R1..R29 then G1..G25.
    pub fn sort_key(code: &str) -> (u8, u32) {
        let (letter, number) = code.split_at(1.min(code.len()));
        let rank = match letter {
            "R" => 0,
            "G" => 1,
            _ => 2,
        };
        (rank, number.parse().unwrap_or(u32::MAX))
    }
}

/// A numbered routemap action (or a piece of partnership work).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The reference as printed: `"10"`, `"42 & 47"`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The routemap section it sits in.
    pub section: String,
    /// Listed under "Completed actions".
    #[serde(default)]
    pub completed: bool,
    /// Delivered by a partnership rather than the council.
    #[serde(default)]
    pub partnership: bool,
    /// The outcome codes it serves.
    #[serde(default)]
    pub outcomes: Vec<String>,
    /// The outcome or requirement cell.
    #[serde(default)]
    pub requirement: String,
    /// Who is responsible for the action.
    #[serde(default)]
    pub owner: Option<String>,
    /// The action's tasks, in routemap order.
    #[serde(default, deserialize_with = "exact")]
    pub tasks: Vec<Task>,
    /// The action's id: the ref with runs of other characters than letters and digits as `-`.
    #[serde(skip)]
    pub id: String,
}

/// One task (row) of an action.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// The task id; defaults to `<action id>.<n>`.
    #[serde(default)]
    pub id: String,
    /// The task as written.
    pub text: String,
    /// The original target phrase, verbatim.
    #[serde(default)]
    pub original: Option<Box<str>>,
    /// The proposed target phrase, verbatim.
    #[serde(default)]
    pub proposed: Option<Box<str>>,
    /// The status cell, verbatim.
    #[serde(default, rename = "status")]
    pub status_text: Option<Box<str>>,
    /// A second line of the status cell.
    #[serde(default)]
    pub status_note: Option<Box<str>>,
    /// Who is responsible, where named.
    #[serde(default)]
    pub owner: Option<Box<str>>,
    /// The comments cell.
    #[serde(default)]
    pub comments: Option<Box<str>>,
    /// What this task waits on.
    #[serde(default, deserialize_with = "exact")]
    pub waits_on: Vec<Dependency>,
    /// A three-point estimate, for a task the routemap gives no date (boxed: few tasks have
    /// one, and a task is kept small).
    #[serde(default)]
    pub estimate: Option<Box<Estimate>>,
    /// The task's own target: the proposed phrase when it sets something, else the original.
    #[serde(skip)]
    pub target: Target,
    /// Whether `target` is the proposed phrase's (set with it when the model is checked).
    #[serde(skip)]
    pub target_proposed: bool,
    /// The normalised status.
    #[serde(skip)]
    pub status: Status,
}

impl Task {
    /// The phrase the own target was read from (proposed when it sets something, else original).
    pub fn target_phrase(&self) -> &str {
        let phrase = if self.target_proposed { &self.proposed } else { &self.original };
        phrase.as_deref().unwrap_or("")
    }
}

/// What kind of enabling work a project is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProjectKind {
    /// A council or partnership project.
    #[default]
    Project,
    /// A national project.
    National,
    /// An event with a date and no duration.
    Milestone,
}

impl ProjectKind {
    /// The lower-case name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Project => "project",
            ProjectKind::National => "national",
            ProjectKind::Milestone => "milestone",
        }
    }
}

/// Enabling work that tasks wait on.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// A slug, unique across projects and tasks.
    pub id: String,
    /// What it is.
    pub title: String,
    /// Project, national project or milestone.
    #[serde(default)]
    pub kind: ProjectKind,
    /// When it starts, as a target phrase.
    #[serde(default, rename = "start")]
    pub start_text: Option<String>,
    /// When it finishes, as a target phrase.
    #[serde(default, rename = "finish")]
    pub finish_text: Option<String>,
    /// How long it runs once started (`6m`), if the model says.
    #[serde(default, rename = "duration")]
    pub duration_text: Option<String>,
    /// The status, verbatim.
    #[serde(default, rename = "status")]
    pub status_text: Option<String>,
    /// Progress text from the routemap, verbatim.
    #[serde(default)]
    pub progress: Option<String>,
    /// Who is responsible.
    #[serde(default)]
    pub owner: Option<String>,
    /// What it waits on.
    #[serde(default, deserialize_with = "exact")]
    pub waits_on: Vec<Dependency>,
    /// A short quote naming or describing it.
    #[serde(default)]
    pub source: Option<String>,
    /// A three-point estimate, for a project the routemap gives no finish.
    #[serde(default)]
    pub estimate: Option<Box<Estimate>>,
    /// The parsed start phrase.
    #[serde(skip)]
    pub start: Target,
    /// The parsed finish phrase.
    #[serde(skip)]
    pub finish: Target,
    /// The parsed duration.
    #[serde(skip)]
    pub duration: Option<Span>,
    /// The normalised status.
    #[serde(skip)]
    pub status: Status,
}

/// One `waits_on` entry: the work named must finish (plus `lag`) before this can.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependency {
    /// The task or project waited on.
    pub id: String,
    /// Time after that work finishes before this can, as written (`30d`, `1m`).
    #[serde(default, rename = "lag")]
    pub lag_text: Option<Box<str>>,
    /// The routemap implies this rather than states it.
    #[serde(default)]
    pub implied: bool,
    /// A short quote from the routemap stating or implying it.
    #[serde(default)]
    pub source: Option<Box<str>>,
    /// The parsed lag.
    #[serde(skip)]
    pub lag: Span,
    /// The work this entry belongs to, and the entry's index in its `waits_on`: where in the
    /// model file it sits (see [`Dependency::path`]).
    #[serde(skip)]
    pub at: (Place, u32),
}

impl Dependency {
    /// Where the `id` sits in the model file (`actions[3].tasks[1].waits_on[0].id`).
    pub fn path(&self) -> String {
        self.at.0.path(&format!("waits_on[{}].id", self.at.1))
    }
}

/// Where a project, action or task sits in the model file, kept as indexes: its path is written
/// out only for a message, so a valid model's loading builds none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Place {
    /// A model built in code, not read from a file: paths are the bare field.
    #[default]
    Unread,
    /// `projects[i]`.
    Project(u32),
    /// `actions[i]`.
    Action(u32),
    /// `actions[i].tasks[j]`.
    Task(u32, u32),
}

/// An index as a [`Place`] holds it (in 32 bits, as a graph's node indexes are: a model with more
/// items is refused by the file size limit long before).
pub(crate) fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl Place {
    /// `projects[i]`.
    pub fn project(i: usize) -> Place {
        Place::Project(index(i))
    }

    /// `actions[i]`.
    pub fn action(i: usize) -> Place {
        Place::Action(index(i))
    }

    /// `actions[i].tasks[j]`.
    pub fn task(i: usize, j: usize) -> Place {
        Place::Task(index(i), index(j))
    }

    /// The path of the item itself (`actions[3]`; empty when unread).
    pub fn item(self) -> String {
        match self {
            Place::Unread => String::new(),
            Place::Project(i) => format!("projects[{i}]"),
            Place::Action(i) => format!("actions[{i}]"),
            Place::Task(i, j) => format!("actions[{i}].tasks[{j}]"),
        }
    }

    /// The path of `field` (such as `status` or `waits_on[2]`) here.
    pub fn path(self, field: &str) -> String {
        match self {
            Place::Unread => field.to_string(),
            at => format!("{}.{field}", at.item()),
        }
    }
}

/// A length of time in calendar terms: months then days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Calendar months.
    pub months: u32,
    /// Days.
    pub days: u32,
}

/// An IEG funding stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingStream {
    /// A slug.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Whole pounds.
    pub amount_gbp: u64,
    /// `2004/05`.
    pub financial_year: String,
    /// What it depends on.
    #[serde(default)]
    pub depends_on: Option<String>,
    /// A quote from the routemap.
    #[serde(default)]
    pub source: Option<String>,
    /// When the stream was (or is to be) paid, where known: a stream paid before the as-of date
    /// is no longer at risk.
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
}

/// High, Medium or Low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum Level {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
}

impl Level {
    /// `High`, `Medium` or `Low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "Low",
            Level::Medium => "Medium",
            Level::High => "High",
        }
    }

    /// Parse `High`, `Medium` or `Low` (any case).
    pub fn parse(s: &str) -> Option<Level> {
        [Level::Low, Level::Medium, Level::High]
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// A strategic risk register entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    /// The register number.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Short title.
    pub title: String,
    /// What could go wrong.
    pub description: String,
    /// Likelihood the register records.
    pub likelihood: Level,
    /// Impact the register records.
    pub impact: Level,
    /// Likelihood after the proposed actions, where the register gives one.
    #[serde(default)]
    pub residual_likelihood: Option<Level>,
    /// Proposed actions.
    #[serde(default)]
    pub proposed_actions: Vec<String>,
    /// Who is responsible.
    #[serde(default)]
    pub responsibility: Option<String>,
    /// The work it delays when it occurs, how likely that is, and by how much, for the
    /// simulation (where the register or a council's judgement gives them).
    #[serde(default)]
    pub delays: Option<RiskDelay>,
}

/// What a register risk does to the schedule when it occurs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskDelay {
    /// The tasks and projects it delays.
    pub work: Vec<String>,
    /// The chance it occurs, from 0 to 1.
    pub probability: f64,
    /// The chance once its proposed actions are taken, from 0 to 1.
    #[serde(default)]
    pub mitigated_probability: Option<f64>,
    /// How long it delays that work: a three-point estimate of lengths of time (`1m`, `90d`).
    pub delay: DelaySpans,
    /// A short quote or judgement the figures rest on.
    #[serde(default)]
    pub source: Option<String>,
}

/// A three-point length of time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelaySpans {
    /// The least, as written.
    pub earliest: String,
    /// The likeliest.
    pub likely: String,
    /// The most.
    pub latest: String,
    /// The three, parsed.
    #[serde(skip)]
    pub spans: [Span; 3],
}

/// A risk identified by the Corporate Management Team.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CmtRisk {
    /// When CMT identified it.
    #[serde(default)]
    pub identified: Option<NaiveDate>,
    /// The risk.
    pub risk: String,
    /// The countermeasures.
    #[serde(default)]
    pub countermeasures: Vec<String>,
}

/// The BVPI 157 e-enablement table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bvpi157 {
    /// Share of processes enabled when the routemap was written.
    pub enabled_percent: u32,
    /// The national target, as written.
    pub target: String,
    /// The interaction rows.
    #[serde(default)]
    pub interactions: Vec<Bvpi157Interaction>,
}

/// One row of the BVPI 157 table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bvpi157Interaction {
    /// The interaction type.
    pub interaction: String,
    /// Services affected.
    #[serde(default)]
    pub services: Vec<String>,
    /// Number of ESD processes, where given.
    #[serde(default)]
    pub esd_processes: Option<u32>,
    /// The % enabled target: cumulative, the share enabled once this row and those above it are.
    pub enabled_target_percent: u32,
    /// The routemap work that e-enables this interaction group.
    #[serde(default)]
    pub enabled_by: Vec<Bvpi157Link>,
}

/// One piece of work that e-enables a BVPI 157 interaction group.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bvpi157Link {
    /// A task, project or action id (an action stands for all of its tasks).
    pub id: String,
    /// The link is the model's reading of the routemap rather than its statement.
    #[serde(default)]
    pub implied: bool,
    /// A short quote from the routemap stating or implying the link.
    pub source: String,
    /// Where the `id` sits in the model file (`bvpi157.interactions[2].enabled_by[0].id`).
    #[serde(skip)]
    pub path: String,
}

impl Model {
    /// Every task of every action, in file order.
    pub fn tasks(&self) -> impl Iterator<Item = (&Action, &Task)> {
        self.actions.iter().flat_map(|a| a.tasks.iter().map(move |t| (a, t)))
    }

    /// The outcome with this code.
    pub fn outcome(&self, code: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|o| o.code == code)
    }
}
