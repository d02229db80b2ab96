//! `routemap diff`: what changed between versions of a routemap, and what it did.
//!
//! Each version is opened as a [`Session`] on its own issue date. Work is matched across two
//! versions by id, then by text ([`matching`]): a task whose id changed but whose words did not
//! was renumbered; one whose words changed a little under the same id (or, within the same
//! action, under another) was reworded; the rest were added or removed. The changes found on
//! matched work (targets moved, statuses changed, work completed) and between the versions'
//! dependencies are then judged for what they did to each outcome: every change the later
//! version made to work upstream of an outcome is undone on its own (the later version's own
//! finish for that work set back to the earlier version's), through the incremental assessment,
//! and a change that alone restores the outcome's earlier status (or moves its date back) is
//! named as what moved it. What no single change explains is put down, honestly, to the changes
//! together, the work added or removed, or the later date the version was judged on.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::assess::DateBasis;
use crate::assess::{self, Assessment, Standing};
use crate::error::{Diagnostic, Error};
use crate::model::{Category, Model, Source, Status, Target};
use crate::session::{Earlier, Session};
use crate::simulate::Plan;
use crate::simulate::learn::versions::{self, Chain, Interval, Seen, State, Temporal};
use crate::simulate::learn::{Class, History};

/// One version of a routemap, opened and judged on its own issue date.
pub struct Version {
    /// The file it was read from.
    pub file: PathBuf,
    /// The model, graph, rules and baseline assessment.
    pub session: Session,
}

impl Version {
    /// The version as [`compare`] reads it.
    pub fn view(&self) -> VersionRef<'_> {
        VersionRef { name: self.file.display().to_string(), session: &self.session }
    }
}

/// A version as [`compare`] reads it: its name (the file) and its session.
pub struct VersionRef<'a> {
    /// The file it was read from, as given (or a name for the embedded routemap).
    pub name: String,
    /// The model, graph, rules and baseline assessment.
    pub session: &'a Session,
}

/// An earlier version's file against the routemap a session holds (`risk-report --since`):
/// the earlier one opened with the same rules, on its own issue date.
pub fn since(
    file: &Path,
    rules: Option<&Path>,
    now: &Session,
    now_name: &str,
) -> Result<Diff, Error> {
    let old = Session::open(&Source::Path(file.to_path_buf()), rules, None).map_err(|e| {
        let prefix = format!("--since {}: ", file.display());
        Error::from(e.diagnostics.into_iter().map(|d| d.prefixed(&prefix)).collect::<Vec<_>>())
    })?;
    let versions = [
        VersionRef { name: file.display().to_string(), session: &old },
        VersionRef { name: now_name.to_string(), session: now },
    ];
    in_order(&versions)?;
    let (was, is) = (&old.model.document.council, &now.model.document.council);
    if was != is {
        return Err(Diagnostic::new(format!(
            "--since {}: {was}'s routemap, not {is}'s",
            file.display()
        ))
        .at(old.model.origin.model.at("document.council"))
        .help(
            "--since takes an earlier version of the routemap the report is written from (--model)",
        )
        .into());
    }
    let as_of = now.assessment.basis.as_of;
    if as_of != now.model.document.issue_date {
        return Err(Diagnostic::new(format!(
            "--since compares each version on its own issue date; --as-of {as_of} would judge this one on another"
        ))
        .help("leave out --as-of with --since, or compare with `routemap diff`")
        .into());
    }
    compare(&versions)
}

/// Versions must be given oldest first, each issued after the one before: a later version
/// issued on or before the one before it is refused at its `issue_date`.
fn in_order(versions: &[VersionRef]) -> Result<(), Error> {
    for pair in versions.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (da, db) = (a.session.model.document.issue_date, b.session.model.document.issue_date);
        if db > da {
            continue;
        }
        let same = a.name == b.name;
        let message = if same {
            format!("{} is given twice", b.name)
        } else if db == da {
            format!("{} is issued on the same day as {} ({da})", b.name, a.name)
        } else {
            format!("{} (issued {db}) is given after {} (issued {da})", b.name, a.name)
        };
        let before = a.session.model.origin.model.at("document.issue_date");
        let d = Diagnostic::new(message)
            .at(b.session.model.origin.model.at("document.issue_date"))
            .label("issued here");
        let d = if same { d } else { d.also(before, "the version before") };
        return Err(d
            .help("give the versions oldest first, each issued after the one before it")
            .into());
    }
    Ok(())
}

/// Open every version, oldest first, each judged on its own issue date with the same rules.
/// An error names the version it was found in; versions given out of date order are refused.
pub fn open(paths: &[PathBuf], rules: Option<&Path>) -> Result<Vec<Version>, Error> {
    if paths.len() < 2 {
        return Err(Diagnostic::new("diff needs two versions or more")
            .help(
                "give the earlier routemap first: routemap diff OLD.yaml NEW.yaml [NEWER.yaml ...]",
            )
            .into());
    }
    let mut out = Vec::with_capacity(paths.len());
    let mut errors = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        match Session::open(&Source::Path(path.clone()), rules, None) {
            Ok(session) => out.push(Version { file: path.clone(), session }),
            Err(e) => {
                let prefix = format!("version {} of {} ({}): ", i + 1, paths.len(), path.display());
                errors.extend(e.diagnostics.into_iter().map(|d| d.prefixed(&prefix)));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    in_order(&out.iter().map(Version::view).collect::<Vec<_>>())?;
    Ok(out)
}

/// What kind of work an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkKind {
    /// An enabling project, national project or milestone.
    Project,
    /// A numbered action.
    Action,
    /// A task of an action.
    Task,
}

impl WorkKind {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkKind::Project => "project",
            WorkKind::Action => "action",
            WorkKind::Task => "task",
        }
    }
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Work in the later version only.
    Added,
    /// Work in the earlier version only.
    Removed,
    /// The same work (its words unchanged) under another id or ref.
    Renumbered,
    /// The same work, its words changed (matched by how many words they share).
    Reworded,
    /// Its target moved to another date.
    TargetMoved,
    /// Its target changed in kind (a date to "to be determined", say).
    TargetChanged,
    /// It was completed.
    Completed,
    /// Its status changed (other than to complete).
    StatusChanged,
    /// It now waits on other work.
    DependencyAdded,
    /// It no longer waits on that work.
    DependencyRemoved,
}

impl ChangeKind {
    /// The words used in tables.
    pub fn words(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Renumbered => "renumbered",
            ChangeKind::Reworded => "reworded",
            ChangeKind::TargetMoved => "target moved",
            ChangeKind::TargetChanged => "target changed",
            ChangeKind::Completed => "completed",
            ChangeKind::StatusChanged => "status changed",
            ChangeKind::DependencyAdded => "dependency added",
            ChangeKind::DependencyRemoved => "dependency removed",
        }
    }
}

/// One change between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Project, action or task.
    pub work: WorkKind,
    /// Its id (or ref) in the later version; for removed work, in the earlier one.
    pub id: String,
    /// Its id in the earlier version, where it had one and it differs.
    pub earlier_id: Option<String>,
    /// What it is: the task's words, the project's title, the action's requirement.
    pub text: String,
    /// Before, verbatim: the target phrase, status, words or id.
    pub before: Option<String>,
    /// After, verbatim.
    pub after: Option<String>,
    /// The date the target named before.
    pub before_date: Option<NaiveDate>,
    /// The date it names after.
    pub after_date: Option<NaiveDate>,
    /// Days the target moved: positive later, negative earlier.
    pub days: Option<i64>,
    /// For a dependency: the work waited on (its id in the later version).
    pub waits_on: Option<String>,
    /// For reworded work: the share of words the two wordings have in common (0 to 1).
    pub similarity: Option<f64>,
}

impl Change {
    fn new(kind: ChangeKind, work: WorkKind, id: &str, text: &str) -> Change {
        Change {
            kind,
            work,
            id: id.to_string(),
            earlier_id: None,
            text: text.to_string(),
            before: None,
            after: None,
            before_date: None,
            after_date: None,
            days: None,
            waits_on: None,
            similarity: None,
        }
    }

    /// The change in one line, as a person reads it.
    pub fn summary(&self) -> String {
        let quoted = |s: &Option<String>| s.as_deref().map(|s| format!("\u{201c}{s}\u{201d}"));
        match self.kind {
            ChangeKind::Added => "added".to_string(),
            ChangeKind::Removed => "removed".to_string(),
            ChangeKind::Renumbered => {
                format!("renumbered from {}", self.earlier_id.as_deref().unwrap_or("?"))
            }
            ChangeKind::Reworded => format!(
                "reworded{} from {}",
                match &self.earlier_id {
                    Some(id) => format!(" (was {id})"),
                    None => String::new(),
                },
                quoted(&self.before).unwrap_or_default()
            ),
            ChangeKind::TargetMoved => {
                let days = self.days.unwrap_or(0);
                let way = if days < 0 { "earlier" } else { "later" };
                format!(
                    "target {} \u{2192} {}, {} days {way}",
                    self.before.as_deref().unwrap_or("-"),
                    self.after.as_deref().unwrap_or("-"),
                    days.abs()
                )
            }
            ChangeKind::Completed if self.work == WorkKind::Action => {
                "moved into the completed actions".to_string()
            }
            ChangeKind::StatusChanged if self.work == WorkKind::Action => {
                "moved out of the completed actions".to_string()
            }
            ChangeKind::TargetChanged | ChangeKind::StatusChanged | ChangeKind::Completed => {
                let what = if self.kind == ChangeKind::TargetChanged { "target" } else { "status" };
                let lead = if self.kind == ChangeKind::Completed { "completed: " } else { "" };
                format!(
                    "{lead}{what} {} \u{2192} {}",
                    self.before.as_deref().unwrap_or("(none)"),
                    self.after.as_deref().unwrap_or("(none)")
                )
            }
            ChangeKind::DependencyAdded => {
                format!("now waits on {}", self.waits_on.as_deref().unwrap_or("?"))
            }
            ChangeKind::DependencyRemoved => {
                format!("no longer waits on {}", self.waits_on.as_deref().unwrap_or("?"))
            }
        }
    }
}

/// An outcome's verdict in one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Its status.
    pub status: Standing,
    /// Its forecast, where one can be made.
    pub forecast: Option<NaiveDate>,
    /// What the verdict rests on.
    pub basis: DateBasis,
}

/// How one change bears on an outcome that moved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cause {
    /// The change, by its index in the step's `changes`.
    pub change: usize,
    /// The work it changed (its id in the later version).
    pub id: String,
    /// Undone alone, the outcome's status goes back to what it was (where only its basis
    /// changed, its basis; where only its forecast moved, its forecast).
    pub restores: bool,
    /// Undone alone, days the outcome's forecast moves back (positive: it was made later).
    pub days: Option<i64>,
}

/// An outcome whose status, forecast or basis changed between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeChange {
    /// `R8`.
    pub code: String,
    /// Its title.
    pub title: String,
    /// Required or good.
    pub category: Category,
    /// Its verdict in the earlier version.
    pub before: Verdict,
    /// Its verdict in the later version.
    pub after: Verdict,
    /// Days its forecast moved (positive: later).
    pub days: Option<i64>,
    /// The changes that, undone one at a time, move it back: what moved it.
    pub moved_by: Vec<Cause>,
    /// Where no single change moves it back but its work's changes undone together do: that
    /// work (ids in the later version).
    pub together: Vec<String>,
    /// Why, in words: the changes that moved it, or what no single change explains.
    pub reason: String,
}

/// Two versions compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// The earlier version (its 1-based place in the list given).
    pub from: usize,
    /// The later version.
    pub to: usize,
    /// Every change, work first (projects, actions, tasks; by id), then dependencies.
    pub changes: Vec<Change>,
    /// The outcomes that moved, R1..R29 then G1..G25.
    pub outcomes: Vec<OutcomeChange>,
    /// Grant at risk before and after (pounds).
    pub exposure_gbp: [u64; 2],
    /// BVPI 157 forecast on its deadline before and after (percent), where both versions have
    /// the table.
    pub bvpi157_percent: Option<[u32; 2]>,
}

/// One version, as the comparison describes it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionInfo {
    /// 1-based, in the order given.
    pub index: usize,
    /// The file.
    pub file: String,
    /// The council.
    pub council: String,
    /// The version, as written.
    pub version: String,
    /// Its issue date: the date it is judged on.
    pub issue_date: NaiveDate,
    /// Short content hash of its model and catalogue files.
    pub hash: String,
    /// Required and Good outcomes by status.
    pub counts: BTreeMap<Category, BTreeMap<Standing, usize>>,
    /// Grant at risk (pounds).
    pub exposure_gbp: u64,
    /// BVPI 157 forecast on its deadline (percent), where the version has the table.
    pub bvpi157_percent: Option<u32>,
}

/// Each outcome's status at each version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendLine {
    /// `R8`.
    pub code: String,
    /// Required or good.
    pub category: Category,
    /// Its verdict at each version, in order.
    pub verdicts: Vec<Verdict>,
}

/// Work whose target moved later at every update it was in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slipped {
    /// Its id in the latest version it is in.
    pub id: String,
    /// What it is.
    pub text: String,
    /// Its target phrase at each version it is in (null where it was not in that version).
    pub targets: Vec<Option<String>>,
    /// Days it moved in all.
    pub days: i64,
}

/// The trend across three versions or more.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// Every outcome's verdict at every version (a RAG journal).
    pub outcomes: Vec<TrendLine>,
    /// Work that slipped at every update.
    pub slipped_every_update: Vec<Slipped>,
}

/// The comparison of versions of a routemap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// The versions, in order.
    pub versions: Vec<VersionInfo>,
    /// Each version against the one before it.
    pub steps: Vec<Step>,
    /// With three versions or more, the trend; else null.
    pub trend: Option<Trend>,
    /// Things a reader should know: councils whose names differ, say.
    pub notes: Vec<String>,
}

/// Compare versions (oldest first): each against the one before it, and the trend.
pub fn compare(versions: &[VersionRef]) -> Result<Diff, Error> {
    let mut infos = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        infos.push(info(i + 1, v)?);
    }
    let mut steps = Vec::new();
    let mut matchings = Vec::new();
    for (i, pair) in versions.windows(2).enumerate() {
        let m = matching(&pair[0].session.model, &pair[1].session.model);
        steps.push(step(i + 1, &pair[0], &pair[1], &m, [&infos[i], &infos[i + 1]])?);
        matchings.push(m);
    }
    let trend = (versions.len() > 2).then(|| trend(versions, &matchings));
    let mut notes = Vec::new();
    let first = &versions[0].session.model.document.council;
    for v in &versions[1..] {
        let c = &v.session.model.document.council;
        if c != first {
            notes.push(format!(
                "{} is {c}'s routemap, {} is {first}'s: check these are versions of one routemap",
                v.name, versions[0].name
            ));
        }
    }
    Ok(Diff { versions: infos, steps, trend, notes })
}

fn info(index: usize, v: &VersionRef) -> Result<VersionInfo, Error> {
    let s = v.session;
    let counts = assess::summary(&s.assessment)
        .into_iter()
        .map(|(cat, counts)| (cat, counts.into_iter().collect()))
        .collect();
    Ok(VersionInfo {
        index,
        file: v.name.clone(),
        council: s.model.document.council.clone(),
        version: s.model.document.version.clone(),
        issue_date: s.model.document.issue_date,
        hash: s.model.origin.hash.clone(),
        counts,
        exposure_gbp: s.assessment.exposure.at_risk_gbp,
        bvpi157_percent: s.bvpi(&s.assessment)?.map(|f| f.percent_at_deadline),
    })
}

/// A piece of work as the matching sees it.
#[derive(Debug, Clone)]
struct Work<'a> {
    kind: WorkKind,
    id: &'a str,
    text: &'a str,
    /// The action it belongs to (tasks), by index.
    action: Option<usize>,
    target: Option<(&'a str, Target)>,
    status: Option<(&'a str, Status)>,
    waits_on: Vec<&'a str>,
    /// Its class of work, as the simulation learns by (`task`, `partnership`, `project`...).
    class: &'static str,
    /// Its target is a re-plan (proposed later than original).
    replanned: bool,
    /// Its original target's date, where it names one.
    original: Option<NaiveDate>,
    /// Complete (for a task, or in the completed table).
    done: bool,
}

fn works(m: &Model) -> Vec<Work<'_>> {
    let mut out = Vec::new();
    for p in &m.projects {
        out.push(Work {
            kind: WorkKind::Project,
            id: &p.id,
            text: &p.title,
            action: None,
            target: Some((p.finish_text.as_deref().unwrap_or(""), p.finish)),
            status: Some((p.status_text.as_deref().unwrap_or(""), p.status)),
            waits_on: p.waits_on.iter().map(|d| d.id.as_str()).collect(),
            class: p.kind.as_str(),
            replanned: false,
            original: None,
            done: p.status == Status::Complete,
        });
    }
    for (ai, a) in m.actions.iter().enumerate() {
        out.push(Work {
            kind: WorkKind::Action,
            id: &a.reference,
            text: &a.requirement,
            action: None,
            target: None,
            status: Some((if a.completed { "completed" } else { "open" }, action_status(a))),
            waits_on: Vec::new(),
            class: "action",
            replanned: false,
            original: None,
            done: a.completed,
        });
        for t in &a.tasks {
            out.push(Work {
                kind: WorkKind::Task,
                id: &t.id,
                text: &t.text,
                action: Some(ai),
                target: Some((t.target_phrase(), t.target)),
                status: Some((t.status_text.as_deref().unwrap_or(""), t.status)),
                waits_on: t.waits_on.iter().map(|d| d.id.as_str()).collect(),
                class: if a.partnership { "partnership" } else { "task" },
                replanned: replanned(t),
                original: match t.original.as_deref().map(Target::parse) {
                    Some(Ok(Target::By(d))) => Some(d),
                    _ => None,
                },
                done: t.status == Status::Complete || a.completed,
            });
        }
    }
    out
}

/// Whether a task's target is a re-plan: a proposed date later than its original.
fn replanned(t: &crate::model::Task) -> bool {
    let date = |p: Option<&str>| match p.map(Target::parse) {
        Some(Ok(Target::By(d))) => Some(d),
        _ => None,
    };
    matches!((date(t.original.as_deref()), date(t.proposed.as_deref())), (Some(o), Some(p)) if p > o)
}

/// Earlier versions as evidence for the simulation (`simulate --history`): every piece of work
/// followed across the versions (oldest first, the current one last), and every interval
/// between consecutive versions with the work in both (for the temporal hold-out).
pub fn history(versions: &[&Model]) -> (Vec<Chain>, Vec<Interval>) {
    let all: Vec<Vec<Work>> = versions.iter().map(|m| works(m)).collect();
    let dated = |t: Option<(&str, Target)>| match t {
        Some((_, Target::By(d))) => Some(d),
        _ => None,
    };
    let state = |v: usize, w: &Work| State {
        at: versions[v].document.issue_date,
        target: dated(w.target),
        replanned_from: w.replanned.then_some(w.original).flatten(),
        done: w.done,
    };
    let mut chains: Vec<Chain> = Vec::new();
    let mut chain_of: Vec<HashMap<usize, usize>> = vec![HashMap::new(); versions.len()];
    let mut intervals = Vec::new();
    for (v, ws) in all.iter().enumerate() {
        let m = (v > 0).then(|| matching(versions[v - 1], versions[v]));
        for (j, w) in ws.iter().enumerate().filter(|(_, w)| w.kind != WorkKind::Action) {
            let earlier = m.as_ref().and_then(|m| m.later_of.get(&j)).copied();
            let c = match earlier.and_then(|i| chain_of[v - 1].get(&i)).copied() {
                Some(c) => {
                    chains[c].states.push(state(v, w));
                    chains[c].id = w.id.to_string();
                    c
                }
                None => {
                    chains.push(Chain {
                        id: w.id.to_string(),
                        class: Class { kind: w.class },
                        states: vec![state(v, w)],
                        current: false,
                    });
                    chains.len() - 1
                }
            };
            chain_of[v].insert(j, c);
            chains[c].current = v + 1 == versions.len();
        }
        if let Some(m) = &m {
            let old = &all[v - 1];
            let seen = old
                .iter()
                .enumerate()
                .filter(|(_, a)| a.kind != WorkKind::Action)
                .filter_map(|(i, a)| m.pairs[i].map(|(j, _)| (a, &ws[j])))
                .map(|(a, b)| Seen {
                    id: b.id.to_string(),
                    class: Class { kind: b.class },
                    before: dated(a.target),
                    replanned: a.replanned,
                    done_before: a.done,
                    after: dated(b.target),
                    done_after: b.done,
                })
                .collect();
            intervals.push(Interval {
                from: versions[v - 1].document.issue_date,
                to: versions[v].document.issue_date,
                seen,
            });
        }
    }
    (chains, intervals)
}

/// The simulation plan of a session learnt from its routemap's targets and its earlier
/// versions' (`simulate --history`: model files in any order, each issued before it and on a
/// day of its own), with the temporal hold-out: learnt up to the version before the last,
/// predicting the last.
pub fn simulation_plan(
    session: &Session,
    files: &[PathBuf],
) -> Result<(Plan, Option<Temporal>), Error> {
    let mut earlier = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    for f in files {
        match crate::session::load(&Source::Path(f.clone())) {
            Ok((m, g)) => earlier.push((f, m, g)),
            Err(e) => {
                let prefix = format!("--history {}: ", f.display());
                errors.extend(e.diagnostics.into_iter().map(|d| d.prefixed(&prefix)));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    earlier.sort_by_key(|(_, m, _)| m.document.issue_date);
    let now = &session.model;
    let issued = |m: &Model| m.document.issue_date;
    let at = |m: &Model| m.origin.model.at("document.issue_date");
    if let Some((f, m, _)) = earlier.iter().find(|(_, m, _)| issued(m) >= issued(now)) {
        return Err(Diagnostic::new(format!(
            "--history {}: issued {}, not before this routemap ({})",
            f.display(),
            issued(m),
            issued(now)
        ))
        .at(at(m))
        .help("--history takes earlier versions of the routemap given with --model")
        .into());
    }
    if let Some(pair) = earlier.windows(2).find(|p| issued(&p[0].1) == issued(&p[1].1)) {
        return Err(Diagnostic::new(format!(
            "--history {} and {} are issued on the same day ({})",
            pair[0].0.display(),
            pair[1].0.display(),
            issued(&pair[1].1)
        ))
        .at(at(&pair[1].1))
        .also(at(&pair[0].1), "the same day")
        .help("give each earlier version once; versions are told apart by their issue dates")
        .into());
    }
    let mut models: Vec<&Model> = earlier.iter().map(|(_, m, _)| m).collect();
    models.push(now);
    let (chains, intervals) = history(&models);
    let own = History::read(now, &session.graph, session.assessment.basis.as_of);
    let learnt = own.with_history(&chains, &intervals);
    // The hold-out: what was known at the version before the last (its own targets and the
    // history up to it), against what the last one recorded.
    let temporal = intervals.last().and_then(|last| {
        let (_, m, g) = earlier.last()?;
        let then = History::read(m, g, issued(m));
        let (chains, before) = history(&models[..models.len() - 1]);
        versions::temporal(&then.with_history(&chains, &before), last)
    });
    let plan = Plan::learnt_from(now, &session.graph, &session.rules, &session.assessment, learnt)?;
    Ok((plan, temporal))
}

fn action_status(a: &crate::model::Action) -> Status {
    if a.completed { Status::Complete } else { Status::InProgress }
}

/// The lower-case words of a text, for matching.
fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// How alike two texts are, 0 to 1: the mean of the share of their words in common (Dice's
/// coefficient over the sets of words) and the share of the shorter text's words found in the
/// longer (so a task whose words were added to, "forms" becoming "forms on the e-forms
/// platform", stays close to what it was).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(&b).count() as f64;
    let dice = 2.0 * common / (a.len() + b.len()) as f64;
    let overlap = common / a.len().min(b.len()) as f64;
    (dice + overlap) / 2.0
}

/// Same id, words changed: matched when at least this share of words is common.
pub const REWORDED_SAME_ID: f64 = 0.5;
/// Another id, words changed: matched (within the same matched action, or for projects and
/// actions anywhere) when at least this share of words is common.
pub const REWORDED_OTHER_ID: f64 = 0.75;

/// A matching pass's rule: whether it pairs two pieces of work, with what score and how.
type Accept<'a> = dyn Fn(&Work, &Work) -> Option<(f64, How)> + 'a;

/// How an earlier item was matched to a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    Same,
    Renumbered,
    Reworded,
    RenumberedReworded,
}

/// Which later item each earlier one became: `pairs[i] = Some((j, how))` for earlier work `i`.
pub struct Matching {
    pairs: Vec<Option<(usize, How)>>,
    later_of: HashMap<usize, usize>,
}

impl Matching {
    /// The later version's id of an earlier id, where that work is matched.
    fn later_id<'a>(&self, old: &[Work<'_>], new: &'a [Work<'a>], id: &str) -> Option<&'a str> {
        let i = old.iter().position(|w| w.kind != WorkKind::Action && w.id == id)?;
        self.pairs[i].map(|(j, _)| new[j].id)
    }
}

fn normal(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Match the earlier version's work to the later's, each pass taking only what the passes
/// before it left:
///
/// 1. projects and actions by their id or ref, which the council writes (reworded where the
///    words changed); then tasks with the same id and the same words;
/// 2. the same words under another id (renumbered): a task within the action its earlier action
///    became first, then anywhere;
/// 3. the best-scoring pairs left, by the share of words in common: under the same id (at least
///    [`REWORDED_SAME_ID`]) or, within the same action, another id (at least
///    [`REWORDED_OTHER_ID`]), the highest share first, ties to the earliest in the files.
pub fn matching(old: &Model, new: &Model) -> Matching {
    let (o, n) = (works(old), works(new));
    let mut pairs: Vec<Option<(usize, How)>> = vec![None; o.len()];
    let mut taken = vec![false; n.len()];
    // Every candidate pair the rule accepts, best score first (ties to the earliest), taken
    // greedily.
    let take = |pairs: &mut Vec<Option<(usize, How)>>, taken: &mut Vec<bool>, accept: &Accept| {
        let mut candidates = Vec::new();
        for i in (0..o.len()).filter(|&i| pairs[i].is_none()) {
            for j in (0..n.len()).filter(|&j| !taken[j] && o[i].kind == n[j].kind) {
                if let Some((score, how)) = accept(&o[i], &n[j]) {
                    candidates.push((score, i, j, how));
                }
            }
        }
        candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        for (_, i, j, how) in candidates {
            if pairs[i].is_none() && !taken[j] {
                pairs[i] = Some((j, how));
                taken[j] = true;
            }
        }
    };
    let same_words = |a: &Work, b: &Work| normal(a.text) == normal(b.text);
    take(&mut pairs, &mut taken, &|a, b| match a.kind {
        WorkKind::Project | WorkKind::Action if a.id == b.id => {
            Some((1.0, if same_words(a, b) { How::Same } else { How::Reworded }))
        }
        WorkKind::Task if a.id == b.id && same_words(a, b) => Some((1.0, How::Same)),
        _ => None,
    });
    // The actions are matched by now: which later action each earlier one became.
    let action_pairs: HashMap<usize, usize> = o
        .iter()
        .enumerate()
        .filter(|(_, w)| w.kind == WorkKind::Action)
        .filter_map(|(i, _)| pairs[i].map(|(j, _)| (i, j)))
        .collect();
    let action_index = |ws: &[Work], k: usize| {
        ws.iter().enumerate().filter(|(_, w)| w.kind == WorkKind::Action).nth(k).map(|(i, _)| i)
    };
    let same_action = |a: &Work, b: &Work| match (a.action, b.action) {
        (Some(x), Some(y)) => action_index(&o, x)
            .and_then(|i| action_pairs.get(&i))
            .is_some_and(|&j| action_index(&n, y) == Some(j)),
        _ => true,
    };
    let words_alone = |a: &Work, b: &Work| same_words(a, b) && !a.text.trim().is_empty();
    take(&mut pairs, &mut taken, &|a, b| {
        (words_alone(a, b) && same_action(a, b)).then_some((1.0, How::Renumbered))
    });
    take(&mut pairs, &mut taken, &|a, b| words_alone(a, b).then_some((1.0, How::Renumbered)));
    take(&mut pairs, &mut taken, &|a, b| {
        let share = similarity(a.text, b.text);
        if a.id == b.id && share >= REWORDED_SAME_ID {
            Some((share, How::Reworded))
        } else if same_action(a, b) && share >= REWORDED_OTHER_ID {
            Some((share, How::RenumberedReworded))
        } else {
            None
        }
    });
    let later_of = pairs.iter().enumerate().filter_map(|(i, p)| p.map(|(j, _)| (j, i))).collect();
    Matching { pairs, later_of }
}

/// The changes between two versions, given their matching.
fn changes(old: &Model, new: &Model, m: &Matching) -> Vec<Change> {
    let (o, n) = (works(old), works(new));
    let mut out = Vec::new();
    for (i, a) in o.iter().enumerate() {
        let Some((j, how)) = m.pairs[i] else {
            let mut c = Change::new(ChangeKind::Removed, a.kind, a.id, a.text);
            c.earlier_id = Some(a.id.to_string());
            out.push(c);
            continue;
        };
        let b = &n[j];
        let at = |kind| {
            let mut c = Change::new(kind, b.kind, b.id, b.text);
            if a.id != b.id {
                c.earlier_id = Some(a.id.to_string());
            }
            c
        };
        if matches!(how, How::Renumbered) {
            let mut c = at(ChangeKind::Renumbered);
            c.before = Some(a.id.to_string());
            c.after = Some(b.id.to_string());
            out.push(c);
        }
        if matches!(how, How::Reworded | How::RenumberedReworded) {
            let mut c = at(ChangeKind::Reworded);
            c.before = Some(a.text.to_string());
            c.after = Some(b.text.to_string());
            c.similarity = Some((similarity(a.text, b.text) * 100.0).round() / 100.0);
            out.push(c);
        }
        if let (Some((pa, ta)), Some((pb, tb))) = (a.target, b.target)
            && ta != tb
        {
            let kind = match (ta.date(), tb.date()) {
                (Some(_), Some(_)) => ChangeKind::TargetMoved,
                _ => ChangeKind::TargetChanged,
            };
            let mut c = at(kind);
            c.before = Some(shown(pa));
            c.after = Some(shown(pb));
            c.before_date = ta.date();
            c.after_date = tb.date();
            c.days = ta.date().zip(tb.date()).map(|(x, y)| (y - x).num_days());
            if c.days != Some(0) || kind == ChangeKind::TargetChanged {
                out.push(c);
            }
        }
        if let (Some((sa, xa)), Some((sb, xb))) = (a.status, b.status)
            && xa != xb
        {
            let kind = if xb == Status::Complete {
                ChangeKind::Completed
            } else {
                ChangeKind::StatusChanged
            };
            let mut c = at(kind);
            c.before = Some(shown(sa));
            c.after = Some(shown(sb));
            out.push(c);
        }
    }
    for (j, b) in n.iter().enumerate() {
        if !m.later_of.contains_key(&j) {
            out.push(Change::new(ChangeKind::Added, b.kind, b.id, b.text));
        }
    }
    // Dependencies, each end named by its id in the later version.
    let edges = |ws: &[Work], map: &dyn Fn(&str) -> Option<String>| {
        let mut set = BTreeSet::new();
        for w in ws {
            for d in &w.waits_on {
                if let (Some(x), Some(y)) = (map(w.id), map(d)) {
                    set.insert((x, y));
                }
            }
        }
        set
    };
    let before = edges(&o, &|id| m.later_id(&o, &n, id).map(str::to_string));
    let after = edges(&n, &|id| Some(id.to_string()));
    let text_of = |id: &str| n.iter().find(|w| w.id == id && w.kind != WorkKind::Action);
    // Work added brings its dependencies with it: only those of work in both versions count.
    let in_both = |id: &str| {
        n.iter()
            .position(|w| w.id == id && w.kind != WorkKind::Action)
            .is_some_and(|j| m.later_of.contains_key(&j))
    };
    for (kind, set, other) in [
        (ChangeKind::DependencyAdded, &after, &before),
        (ChangeKind::DependencyRemoved, &before, &after),
    ] {
        for (x, y) in set.difference(other).filter(|(x, _)| in_both(x)) {
            let w = text_of(x);
            let mut c = Change::new(
                kind,
                w.map_or(WorkKind::Task, |w| w.kind),
                x,
                w.map_or("", |w| w.text),
            );
            c.waits_on = Some(y.clone());
            out.push(c);
        }
    }
    out.sort_by(|a, b| {
        let dep = |c: &Change| {
            matches!(c.kind, ChangeKind::DependencyAdded | ChangeKind::DependencyRemoved)
        };
        (dep(a), a.work, id_key(&a.id), a.kind).cmp(&(dep(b), b.work, id_key(&b.id), b.kind))
    });
    out
}

/// Ids in the order a person reads them: `2.10` after `2.9`.
fn id_key(id: &str) -> Vec<(u64, String)> {
    id.split('.')
        .map(|part| {
            let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
            (digits.parse().unwrap_or(u64::MAX), part.to_string())
        })
        .collect()
}

fn shown(text: &str) -> String {
    if text.trim().is_empty() { "(none)".to_string() } else { text.trim().to_string() }
}

fn verdict(r: &assess::OutcomeResult) -> Verdict {
    Verdict { status: r.standing, forecast: r.forecast, basis: r.basis }
}

/// Two versions compared: their changes, and what each did to the outcomes.
fn step(
    from: usize,
    old: &VersionRef,
    new: &VersionRef,
    m: &Matching,
    infos: [&VersionInfo; 2],
) -> Result<Step, Error> {
    let (os, ns) = (old.session, new.session);
    let changes = changes(&os.model, &ns.model, m);
    // Each piece of work the later version changed, undone on its own: its own finish, and
    // the follow-on times of what it waits on (which the rules may read from its target), set
    // back to the earlier version's.
    let o_works = works(&os.model);
    let n_works = works(&ns.model);
    let mut undone: Vec<(usize, NodeIndex, Assessment)> = Vec::new();
    let mut all_own = Vec::new();
    let mut all_lags = Vec::new();
    let mut seen = BTreeSet::new();
    for (ci, c) in changes.iter().enumerate() {
        if !dated(c.kind) || c.work == WorkKind::Action {
            continue;
        }
        let Some(node) = ns.graph.node(&c.id) else { continue };
        let earlier_id = |id: &str| later_to_earlier(m, &o_works, &n_works, id);
        let Some(old_node) = earlier_id(&c.id).and_then(|id| os.graph.node(id)) else {
            continue;
        };
        if !seen.insert(node) {
            continue;
        }
        let ob = &os.assessment.basis;
        let earlier = Earlier {
            node,
            own: ob.own[old_node.index()],
            assumption: ob.assumption[old_node.index()].clone(),
            unknown_reason: ob.unknown_reason[old_node.index()].clone(),
        };
        let mut lags = Vec::new();
        for e in ns.graph.dag.edges_directed(node, petgraph::Direction::Incoming) {
            let from = &ns.graph.dag[petgraph::visit::EdgeRef::source(&e)].id;
            let old_edge = earlier_id(from)
                .and_then(|id| os.graph.node(id))
                .and_then(|p| os.graph.dag.find_edge(p, old_node));
            if let Some(oe) = old_edge {
                let id = petgraph::visit::EdgeRef::id(&e);
                let lag = ob.lag[oe.index()];
                if lag != ns.assessment.basis.lag[id.index()] {
                    lags.push((id, lag));
                }
            }
        }
        let nb = &ns.assessment.basis;
        if earlier.own == nb.own[node.index()]
            && earlier.assumption == nb.assumption[node.index()]
            && lags.is_empty()
        {
            continue;
        }
        all_lags.extend(lags.iter().copied());
        undone.push((ci, node, ns.with_earlier(std::slice::from_ref(&earlier), &lags)?));
        all_own.push(earlier);
    }
    let all_undone =
        if undone.is_empty() { None } else { Some(ns.with_earlier(&all_own, &all_lags)?) };
    let mut outcomes = Vec::new();
    for (k, r) in ns.assessment.outcomes.iter().enumerate() {
        let code = ns.graph.dag[r.node].id.as_str();
        let Some(b) = os.assessment.outcomes.iter().find(|x| os.graph.dag[x.node].id == code)
        else {
            continue;
        };
        let (before, after) = (verdict(b), verdict(r));
        if before == after {
            continue;
        }
        let days = b.forecast.zip(r.forecast).map(|(x, y)| (y - x).num_days());
        let upstream: BTreeSet<NodeIndex> =
            crate::schedule::upstream(&ns.graph, r.node).into_iter().collect();
        let earlier_upstream: BTreeSet<&str> = crate::schedule::upstream(&os.graph, b.node)
            .into_iter()
            .map(|n| os.graph.dag[n].id.as_str())
            .collect();
        let mut moved_by = Vec::new();
        let mut together = Vec::new();
        for (ci, node, a) in &undone {
            if !upstream.contains(node) {
                continue;
            }
            together.push(*ci);
            let x = &a.outcomes[k];
            // Undone alone, it gives back the earlier status (or, where only the basis changed,
            // the earlier basis; where only the date moved, the earlier date).
            let restores = if before.status != after.status {
                x.standing == before.status
            } else if before.basis != after.basis {
                x.basis == before.basis
            } else {
                x.forecast == before.forecast
            };
            let back = r.forecast.zip(x.forecast).map(|(now, then)| (now - then).num_days());
            if restores || back.is_some_and(|d| d != 0) {
                moved_by.push(Cause {
                    change: *ci,
                    id: changes[*ci].id.clone(),
                    restores,
                    days: back.filter(|d| *d != 0),
                });
            }
        }
        // Work added or removed, and dependencies, upstream of the outcome in either version.
        let structural: Vec<usize> = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| match c.kind {
                ChangeKind::Added | ChangeKind::DependencyAdded | ChangeKind::DependencyRemoved => {
                    ns.graph.node(&c.id).is_some_and(|n| upstream.contains(&n))
                        || earlier_upstream.contains(c.id.as_str())
                }
                ChangeKind::Removed => earlier_upstream.contains(c.id.as_str()),
                _ => false,
            })
            .map(|(i, _)| i)
            .collect();
        let all = all_undone.as_ref().map(|a| verdict(&a.outcomes[k]));
        let why = Why {
            changes: &changes,
            before,
            after,
            all,
            together: &together,
            structural: &structural,
        };
        let reason = why.reason(&moved_by, [infos[0], infos[1]]);
        let o = ns.model.outcome(code);
        outcomes.push(OutcomeChange {
            code: code.to_string(),
            title: o.map(|o| o.title.clone()).unwrap_or_default(),
            category: r.category,
            before,
            after,
            days,
            moved_by,
            together: if all == Some(before) {
                together.iter().map(|&i| changes[i].id.clone()).collect()
            } else {
                Vec::new()
            },
            reason,
        });
    }
    let both = infos[0].bvpi157_percent.zip(infos[1].bvpi157_percent).map(|(a, b)| [a, b]);
    Ok(Step {
        from,
        to: from + 1,
        changes,
        outcomes,
        exposure_gbp: [infos[0].exposure_gbp, infos[1].exposure_gbp],
        bvpi157_percent: both,
    })
}

/// The earlier id of work known by `id` in the later version.
fn later_to_earlier<'a>(
    m: &Matching,
    old: &'a [Work<'a>],
    new: &[Work<'_>],
    id: &str,
) -> Option<&'a str> {
    let j = new.iter().position(|w| w.kind != WorkKind::Action && w.id == id)?;
    m.later_of.get(&j).map(|&i| old[i].id)
}

/// Whether a change is to a piece of work's dates or status (what undoing it can test).
fn dated(kind: ChangeKind) -> bool {
    matches!(
        kind,
        ChangeKind::TargetMoved
            | ChangeKind::TargetChanged
            | ChangeKind::Completed
            | ChangeKind::StatusChanged
    )
}

/// What an outcome's move is put down to.
struct Why<'a> {
    changes: &'a [Change],
    before: Verdict,
    after: Verdict,
    /// The outcome with every change to its work's own finish undone at once.
    all: Option<Verdict>,
    /// The changes to its upstream work's own finishes.
    together: &'a [usize],
    /// Work and dependencies added or removed upstream of it.
    structural: &'a [usize],
}

impl Why<'_> {
    /// Each change by its own words; a dated change with the other changes to the same work's
    /// dates and status (the ones undone with it).
    fn named(&self, ids: impl Iterator<Item = usize>) -> String {
        ids.map(|i| {
            let c = &self.changes[i];
            if c.kind == ChangeKind::Removed {
                return format!("the earlier {} ({}, removed)", c.id, c.text);
            }
            if !dated(c.kind) {
                return format!("{} ({})", c.id, c.summary());
            }
            let all: Vec<String> = self
                .changes
                .iter()
                .filter(|x| x.id == c.id && x.work == c.work && dated(x.kind))
                .map(Change::summary)
                .collect();
            format!("{} ({})", c.id, all.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
    }

    /// The reason in words: the single changes that give back the earlier status (or basis);
    /// else the changes that do so together; else the changes that moved its date; then what
    /// is left (its basis, work added or removed upstream, the later date it was judged on).
    fn reason(&self, moved_by: &[Cause], infos: [&VersionInfo; 2]) -> String {
        let (before, after) = (self.before, self.after);
        let deciding: Vec<usize> =
            moved_by.iter().filter(|c| c.restores).map(|c| c.change).collect();
        let dating: Vec<usize> =
            moved_by.iter().filter(|c| !c.restores && c.days.is_some()).map(|c| c.change).collect();
        let jointly = self.all == Some(before) && self.together.len() > 1;
        let mut parts = Vec::new();
        if !deciding.is_empty() {
            parts.push(format!("moved by {}", self.named(deciding.iter().copied())));
        } else if jointly {
            parts.push(format!(
                "moved by these changes together, none alone: {}",
                self.named(self.together.iter().copied())
            ));
        }
        if !dating.is_empty() {
            parts.push(format!("its date moved with {}", self.named(dating.iter().copied())));
        }
        if before.basis != after.basis {
            parts.push(format!(
                "its basis changed from {} to {}",
                before.basis.as_str(),
                after.basis.as_str()
            ));
        }
        if !self.structural.is_empty() {
            parts.push(format!("upstream, {}", self.named(self.structural.iter().copied())));
        }
        // What undoing every change to its work cannot give back, nor work added or removed
        // explain, comes of the later date it was judged on.
        let explained = !deciding.is_empty() || self.all == Some(before);
        if !explained && self.structural.is_empty() && infos[0].issue_date != infos[1].issue_date {
            parts.push(format!(
                "with every change to its work undone it still moves: it was judged on {} rather than {}",
                crate::format::long_date(infos[1].issue_date),
                crate::format::long_date(infos[0].issue_date)
            ));
        }
        if parts.is_empty() {
            "no change in the routemap explains it".to_string()
        } else {
            parts.join("; ")
        }
    }
}

/// The trend across versions: each outcome's verdict at each, and the work that slipped at every
/// update.
fn trend(versions: &[VersionRef], matchings: &[Matching]) -> Trend {
    let last = versions[versions.len() - 1].session;
    let outcomes = last
        .assessment
        .outcomes
        .iter()
        .map(|r| {
            let code = &last.graph.dag[r.node].id;
            let verdicts = versions
                .iter()
                .filter_map(|v| {
                    let s = v.session;
                    s.assessment.outcomes.iter().find(|x| &s.graph.dag[x.node].id == code)
                })
                .map(verdict)
                .collect();
            TrendLine { code: code.clone(), category: r.category, verdicts }
        })
        .collect();
    // Follow each piece of work of the latest version back through the matchings.
    let all: Vec<Vec<Work>> = versions.iter().map(|v| works(&v.session.model)).collect();
    let mut slipped = Vec::new();
    let last_works = &all[all.len() - 1];
    for (j, w) in last_works.iter().enumerate() {
        if w.kind == WorkKind::Action {
            continue;
        }
        let mut chain: Vec<Option<usize>> = vec![None; versions.len()];
        chain[versions.len() - 1] = Some(j);
        for v in (0..versions.len() - 1).rev() {
            chain[v] = chain[v + 1].and_then(|k| matchings[v].later_of.get(&k).copied());
        }
        let targets: Vec<Option<(&str, Option<NaiveDate>)>> = chain
            .iter()
            .enumerate()
            .map(|(v, k)| k.and_then(|k| all[v][k].target.map(|(p, t)| (p, t.date()))))
            .collect();
        let present: Vec<(&str, Option<NaiveDate>)> = targets.iter().flatten().copied().collect();
        if present.len() < 3 {
            continue;
        }
        let every = present.windows(2).all(|p| match (p[0].1, p[1].1) {
            (Some(a), Some(b)) => b > a,
            _ => false,
        });
        if every {
            let days = match (present[0].1, present[present.len() - 1].1) {
                (Some(a), Some(b)) => (b - a).num_days(),
                _ => 0,
            };
            slipped.push(Slipped {
                id: w.id.to_string(),
                text: w.text.to_string(),
                targets: targets.iter().map(|t| t.map(|(p, _)| shown(p))).collect(),
                days,
            });
        }
    }
    Trend { outcomes, slipped_every_update: slipped }
}

/// The version a report names a version by: `version 2 (15 December 2004)`.
pub fn version_name(v: &VersionInfo) -> String {
    format!("version {} ({})", v.version, crate::format::long_date(v.issue_date))
}
