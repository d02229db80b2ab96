//! `routemap rollup`: many councils' routemaps, each opened and judged on its own through a
//! [`Session`] (its own as-of date, tier, not-applicable outcomes and rules), on several
//! threads, and rolled up: how every outcome stands across councils, each council's counts and
//! rank, the kinds of work and named projects that hold councils up, the grant at risk, and
//! (with a simulation) how likely each council is to achieve every Required outcome. A council
//! whose model, manifest entry or rules fail is left out, with its diagnostics, and the rest are
//! rolled up. The result does not depend on the number of threads: councils are judged
//! independently and put back in one sorted order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::assess::DateBasis;
use crate::assess::Standing;
use crate::error::{Diagnostic, Error, Location};
use crate::graph::Item;
use crate::model::target::{DateProblem, parse_date};
use crate::model::{Category, Located, ProjectKind, Source, Tier, parse_yaml, text_problem};
use crate::rules::Rules;
use crate::session::{self, Session};
use crate::simulate::Options;

/// What `rollup` is asked for.
#[derive(Debug, Clone)]
pub struct Request {
    /// Model files, directories of them, and manifests.
    pub paths: Vec<PathBuf>,
    /// The rules every council is judged with unless its manifest entry names its own
    /// (default: the embedded rules).
    pub rules: Option<PathBuf>,
    /// Judge every council on this date instead of its own.
    pub as_of: Option<NaiveDate>,
    /// Keep only councils in these regions (any case); empty: every region.
    pub regions: Vec<String>,
    /// Keep only councils of these tiers; empty: every tier.
    pub tiers: Vec<Tier>,
    /// Simulate each council this many runs.
    pub simulate: Option<u64>,
    /// The simulation's seed (each council's runs are those `routemap simulate --seed` gives it).
    pub seed: u64,
    /// Councils judged at once (at least 1).
    pub jobs: usize,
}

/// One council to roll up, as a path or a manifest names it.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Its model file.
    pub model: PathBuf,
    /// Its name, when a manifest gives one (else the model's `council`).
    pub name: Option<String>,
    /// Its tier, when a manifest gives one.
    pub tier: Option<Tier>,
    /// Its region, when a manifest gives one.
    pub region: Option<String>,
    /// Its own rules directory, when a manifest gives one.
    pub rules: Option<PathBuf>,
    /// Its own as-of date, when a manifest gives one.
    pub as_of: Option<NaiveDate>,
    /// Where the manifest gives its tier, for a tier the model contradicts.
    pub tier_at: Option<Location>,
    /// What is wrong with its manifest entry: it is left out without being opened.
    pub problems: Vec<Diagnostic>,
    /// Whether a manifest named it (rather than a path or a directory).
    pub from_manifest: bool,
}

impl Spec {
    fn bare(model: PathBuf) -> Spec {
        Spec {
            model,
            name: None,
            tier: None,
            region: None,
            rules: None,
            as_of: None,
            tier_at: None,
            problems: Vec::new(),
            from_manifest: false,
        }
    }
}

/// A kind of work that holds councils up, recognised by words in a project's or task's id and
/// text (`document management`: `document`, `edrms`, `scanning`...).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kind {
    /// Its name, as reports show it.
    pub kind: String,
    /// Words (or starts of words) that mark it, matched at the start of a word, any case.
    pub words: Vec<String>,
}

/// The kind of work for a national project no word matched.
pub const NATIONAL: &str = "national projects";
/// The kind of work for a council's own project no word matched.
pub const OTHER_PROJECT: &str = "other projects";
/// The kind of work for a council's own tasks no word matched.
pub const OTHER_TASK: &str = "other council work";
/// The kind of work for an outcome no work in the routemap serves.
pub const UNSERVED: &str = "nothing in the routemap";

/// The kinds of work `rollup` recognises unless a manifest gives its own (`kinds_of_work`):
/// the enabling projects the ODPM's status reports named as holding councils back, first match
/// wins.
pub fn default_kinds() -> Vec<Kind> {
    let kind = |name: &str, words: &[&str]| Kind {
        kind: name.to_string(),
        words: words.iter().map(|w| w.to_string()).collect(),
    };
    vec![
        kind(
            "document management",
            &["document", "edrms", "edms", "scanning", "indexing", "records management"],
        ),
        kind(
            "CRM and contact centre",
            &[
                "crm",
                "customer relationship",
                "contact centre",
                "call centre",
                "customer service",
                "one stop shop",
            ],
        ),
        kind(
            "financial management (FMS)",
            &["fms", "financial management", "finance system", "financial system"],
        ),
        kind("e-forms", &["e-form", "eform", "electronic form", "online form"]),
        kind("payments", &["payment", "e-pay", "epay"]),
        kind("e-procurement", &["procurement", "purchasing"]),
        kind("gazetteer and GIS (LLPG/NLPG)", &["llpg", "nlpg", "gazetteer", "gis"]),
        kind("website and intranet", &["web", "portal", "internet", "intranet"]),
        kind(
            "infrastructure",
            &["hardware", "network", "bandwidth", "backup", "storage", "server", "unix", "email"],
        ),
        kind(
            "back-office systems",
            &[
                "back office",
                "back-office",
                "integration",
                "revenues",
                "benefits system",
                "housing system",
            ],
        ),
    ]
}

/// Text as kinds are matched against it: lower case, every run of other characters one space,
/// a space at each end, so that `e-forms` and `E Forms` read alike and a word's start is ` w`.
fn words_of(text: &str) -> String {
    let mut out = String::from(" ");
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The first kind one of whose words starts a word of `text`.
pub fn kind_of<'k>(kinds: &'k [Kind], text: &str) -> Option<&'k str> {
    let text = words_of(text);
    kinds
        .iter()
        .find(|k| {
            k.words.iter().any(|w| {
                // A word as a word's start: ` e form`, matched against ` e forms `.
                let w = words_of(w);
                let w = w.trim_end();
                w.len() > 1 && text.contains(w)
            })
        })
        .map(|k| k.kind.as_str())
}

// ---------------------------------------------------------------------------------------------
// Gathering the councils: paths, directories and manifests.

/// The manifest file (YAML; see docs/rollup.md).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFile {
    councils: Vec<EntryFile>,
    #[serde(default)]
    kinds_of_work: Option<Vec<Kind>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryFile {
    model: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tier: Option<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    rules: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
}

/// Whether a file's text is a manifest rather than a model: a top-level `councils:` key (a
/// model has none, and refuses unknown keys).
fn is_manifest(text: &str) -> bool {
    let t = text.trim_start_matches('\u{feff}');
    t.lines().any(|l| l.starts_with("councils:")) || t.trim_start().starts_with("{\"councils\"")
}

/// What the paths name: every council, each once (a model a manifest names and a directory
/// holds is taken with the manifest's details), and the kinds of work a manifest gives. A path
/// that is not there, or a manifest that cannot be read, is an error for the whole roll-up: it
/// is not known which councils it would have named.
pub fn gather(paths: &[PathBuf]) -> Result<(Vec<Spec>, Option<Vec<Kind>>), Error> {
    let mut specs = Vec::new();
    let mut kinds = None;
    let mut errors = Vec::new();
    for path in paths {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                errors.push(
                    Diagnostic::new(format!(
                        "cannot read {}: {}",
                        path.display(),
                        crate::error::io_reason(&e)
                    ))
                    .help("give model files, directories of them, or a manifest (docs/rollup.md)"),
                );
                continue;
            }
        };
        if meta.is_dir() {
            match directory(path) {
                Ok(files) => {
                    for file in files {
                        if is_yaml(&file) {
                            match crate::input::read_text(&file) {
                                Ok(text) if is_manifest(&text) => {
                                    manifest(&file, &text, &mut specs, &mut kinds, &mut errors)
                                }
                                _ => specs.push(Spec::bare(file)),
                            }
                        } else {
                            specs.push(Spec::bare(file));
                        }
                    }
                }
                Err(d) => errors.push(d),
            }
            continue;
        }
        // A file: a manifest when it reads as one, else a model (whose errors are its own).
        match crate::input::read_text(path) {
            Ok(text) if is_manifest(&text) => {
                manifest(path, &text, &mut specs, &mut kinds, &mut errors)
            }
            _ => specs.push(Spec::bare(path.clone())),
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    // Each model once: a manifest's entry wins over the same file found in a directory.
    let mut seen: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut out: Vec<Spec> = Vec::with_capacity(specs.len());
    for spec in specs {
        let key = std::fs::canonicalize(&spec.model).unwrap_or_else(|_| spec.model.clone());
        match seen.get(&key) {
            Some(&i) => {
                if spec.from_manifest && !out[i].from_manifest {
                    out[i] = spec;
                }
            }
            None => {
                seen.insert(key, out.len());
                out.push(spec);
            }
        }
    }
    Ok((out, kinds))
}

fn is_yaml(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        let e = e.to_ascii_lowercase();
        e == "yaml" || e == "yml"
    })
}

/// The model files (`.yaml`, `.yml`, `.json`) directly in a directory, sorted by name.
fn directory(dir: &Path) -> Result<Vec<PathBuf>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Diagnostic::new(format!(
            "cannot read the directory {}: {}",
            dir.display(),
            crate::error::io_reason(&e)
        ))
    })?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
                && p.is_file()
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Read a manifest's entries into `specs`. Its shape (YAML, unknown fields) is checked whole;
/// each entry's values are checked on their own, and an entry with a bad value is a council left
/// out, located, not an error of the roll-up.
fn manifest(
    path: &Path,
    text: &str,
    specs: &mut Vec<Spec>,
    kinds: &mut Option<Vec<Kind>>,
    errors: &mut Vec<Diagnostic>,
) {
    let file = Located::new(&path.display().to_string(), text);
    let parsed: ManifestFile = match parse_yaml(&file, text, "docs/rollup.md") {
        Ok(m) => m,
        Err(e) => {
            errors.extend(e.diagnostics);
            return;
        }
    };
    let base = path.parent().unwrap_or(Path::new(""));
    if let Some(k) = parsed.kinds_of_work {
        let mut bad = false;
        for (i, kind) in k.iter().enumerate() {
            if kind.kind.trim().is_empty() || kind.words.iter().all(|w| w.trim().is_empty()) {
                bad = true;
                errors.push(
                    Diagnostic::new("a kind of work needs a name and at least one word")
                        .at(file.at(&format!("kinds_of_work[{i}]")))
                        .help("write `- kind: document management` and `words: [document, edrms]`"),
                );
            }
        }
        if !bad {
            *kinds = Some(k);
        }
    }
    if parsed.councils.is_empty() {
        errors.push(
            Diagnostic::new(format!("{} names no councils", path.display()))
                .at(file.at("councils"))
                .help("list each council under `councils:` with its `model` (docs/rollup.md)"),
        );
    }
    for (i, entry) in parsed.councils.into_iter().enumerate() {
        let here = format!("councils[{i}]");
        let mut spec = Spec::bare(base.join(&entry.model));
        spec.from_manifest = true;
        let check = |value: &str, field: &str, spec: &mut Spec| {
            if let Some((message, help)) = text_problem(value, crate::model::MAX_TEXT_CHARS) {
                spec.problems.push(
                    Diagnostic::new(message).at(file.at(&format!("{here}.{field}"))).help(help),
                );
            }
        };
        check(&entry.model, "model", &mut spec);
        if let Some(n) = &entry.name {
            check(n, "name", &mut spec);
            spec.name = Some(n.clone());
        }
        if let Some(r) = &entry.region {
            check(r, "region", &mut spec);
            spec.region = Some(r.clone());
        }
        if let Some(t) = &entry.tier {
            spec.tier_at = file.at(&format!("{here}.tier"));
            match tier(t) {
                Some(t) => spec.tier = Some(t),
                None => spec.problems.push(
                    Diagnostic::new(format!("{here}.tier: `{t}` is not a kind of council"))
                        .at(spec.tier_at.clone())
                        .help("write district, county, unitary, metropolitan or london_borough"),
                ),
            }
        }
        if let Some(r) = &entry.rules {
            spec.rules = Some(base.join(r));
        }
        if let Some(d) = &entry.as_of {
            match parse_date(d) {
                Ok(d) => spec.as_of = Some(d),
                Err(problem) => {
                    let help = match problem {
                        DateProblem::NotADate => "write YYYY-MM-DD, such as 2005-08-01".to_string(),
                        DateProblem::Year(message, help) => format!("{message}: {help}"),
                    };
                    spec.problems.push(
                        Diagnostic::new(format!("{here}.as_of: `{d}` is not a date"))
                            .at(file.at(&format!("{here}.as_of")))
                            .help(help),
                    );
                }
            }
        }
        specs.push(spec);
    }
}

/// A tier as the model format writes it.
pub fn tier(text: &str) -> Option<Tier> {
    Some(match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "district" => Tier::District,
        "county" => Tier::County,
        "unitary" => Tier::Unitary,
        "metropolitan" => Tier::Metropolitan,
        "london_borough" => Tier::LondonBorough,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// One council, judged.

/// An outcome's verdict in one council.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// `R8`.
    pub code: String,
    /// Required or Good.
    pub category: Category,
    /// Its title in this council's catalogue.
    pub title: String,
    /// How it stands.
    pub standing: Standing,
    /// What the verdict rests on.
    pub basis: DateBasis,
    /// Whether any work in the council's routemap serves it (an outcome nothing serves keeps
    /// the rules' verdict, but is not in the routemap).
    pub served: bool,
}

/// An outcome off track or at risk in one council, and what holds it up: the unfinished work on
/// its driving chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Hold {
    /// The outcome's code.
    pub code: String,
    /// Off track or at risk.
    pub standing: Standing,
    /// The named projects on its chain (slug, title), root cause first.
    pub projects: Vec<(String, String)>,
    /// The kinds of that work, each once, sorted.
    pub kinds: Vec<String>,
}

/// One council's simulation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CouncilSim {
    /// P(every Required outcome that applies meets its deadline).
    pub p_all_required: f64,
    /// The expected number of Required outcomes missing their deadline.
    pub expected_misses: f64,
    /// Its standard error.
    pub expected_misses_se: f64,
}

/// One council, judged: what the roll-up keeps of its session.
#[derive(Debug, Clone, PartialEq)]
pub struct Council {
    /// Its name (the manifest's, else the model's `council`).
    pub name: String,
    /// Its model file, as named.
    pub model: String,
    /// Its tier (the manifest's, else the model's).
    pub tier: Option<Tier>,
    /// Its region, where a manifest gives one.
    pub region: Option<String>,
    /// The date it was judged on.
    pub as_of: NaiveDate,
    /// The model's hash.
    pub model_hash: String,
    /// The rules' hash.
    pub rules_hash: String,
    /// Every outcome, R1..R29 then G1..G25.
    pub outcomes: Vec<Verdict>,
    /// BVPI 157: the percentage forecast on the deadline and the target, where the model has
    /// the table.
    pub bvpi: Option<(u32, u32)>,
    /// IEG grant at risk, whole pounds.
    pub exposure_gbp: u64,
    /// IEG grant in the model's funding streams.
    pub funding_gbp: u64,
    /// The outcomes off track or at risk and what holds each up.
    pub holds: Vec<Hold>,
    /// With `--simulate`.
    pub simulation: Option<CouncilSim>,
}

impl Council {
    /// How many of its outcomes of `category` have `standing`.
    pub fn count(&self, category: Category, standing: Standing) -> usize {
        self.outcomes.iter().filter(|v| v.category == category && v.standing == standing).count()
    }

    /// Whether every Required outcome that applies is achieved or on track.
    pub fn all_required(&self) -> bool {
        self.outcomes.iter().filter(|v| v.category == Category::Required).all(|v| {
            matches!(v.standing, Standing::Achieved | Standing::OnTrack | Standing::NotApplicable)
        })
    }

    /// Of the outcomes of `category` that apply: how many are achieved or on track, and how many
    /// apply.
    pub fn expected(&self, category: Category) -> (usize, usize) {
        let applies: Vec<&Verdict> = self
            .outcomes
            .iter()
            .filter(|v| v.category == category && v.standing != Standing::NotApplicable)
            .collect();
        let ok = applies
            .iter()
            .filter(|v| matches!(v.standing, Standing::Achieved | Standing::OnTrack))
            .count();
        (ok, applies.len())
    }
}

/// A council left out, and why.
#[derive(Debug, Clone)]
pub struct LeftOut {
    /// Its model file, as named.
    pub model: String,
    /// Its name, where a manifest gives one.
    pub name: Option<String>,
    /// Its tier, where a manifest gives one.
    pub tier: Option<Tier>,
    /// Its region, where a manifest gives one.
    pub region: Option<String>,
    /// What is wrong: every diagnostic, each with its place.
    pub error: Error,
}

/// The rules of each directory the councils name (`None`: the embedded rules or `--rules`),
/// compiled once and shared by the councils judged with them; a directory whose rules fail
/// leaves its councils out.
type RuleSets = BTreeMap<Option<PathBuf>, Result<Arc<Rules>, Error>>;

fn rule_sets(specs: &[Spec], req: &Request) -> RuleSets {
    let mut out = RuleSets::new();
    for spec in specs {
        let dir = spec.rules.clone().or_else(|| req.rules.clone());
        if let std::collections::btree_map::Entry::Vacant(slot) = out.entry(dir) {
            let rules = Rules::load(slot.key().as_deref()).map(Arc::new);
            slot.insert(rules);
        }
    }
    out
}

/// Open and judge one council; its session goes when it has been summed up.
fn judge(spec: &Spec, req: &Request, kinds: &[Kind], rules: &RuleSets) -> Result<Council, Error> {
    if !spec.problems.is_empty() {
        return Err(spec.problems.clone().into());
    }
    let source = Source::Path(spec.model.clone());
    let dir = spec.rules.clone().or_else(|| req.rules.clone());
    let (mut model, graph) = session::load(&source)?;
    match (spec.tier, model.document.tier) {
        (Some(given), Some(own)) if given != own => {
            return Err(Diagnostic::new(format!(
                "the manifest says {} is a {} council, but its model says {}",
                spec.model.display(),
                given.as_str(),
                own.as_str()
            ))
            .at(spec.tier_at.clone())
            .help(
                "make the manifest's tier agree with the model's `document.tier`, or leave it out",
            )
            .into());
        }
        (Some(given), None) => {
            // The tier as loading would have set it: on the document and on each outcome.
            model.document.tier = Some(given);
            for o in &mut model.outcomes {
                o.council_tier = Some(given);
            }
        }
        _ => {}
    }
    let rules = match rules.get(&dir) {
        Some(Ok(r)) => Arc::clone(r),
        Some(Err(e)) => return Err(e.clone()),
        None => Arc::new(Rules::load(dir.as_deref())?),
    };
    let s = Session::assess(model, graph, rules, req.as_of.or(spec.as_of))?;
    summarise(&s, spec, req, kinds)
}

fn summarise(s: &Session, spec: &Spec, req: &Request, kinds: &[Kind]) -> Result<Council, Error> {
    let e = s.evaluated();
    let a = &s.assessment;
    let as_of = a.basis.as_of;
    let outcomes: Vec<Verdict> = a
        .outcomes
        .iter()
        .map(|r| Verdict {
            code: e.id(r.node).to_string(),
            category: r.category,
            title: s.model.outcomes[r.outcome].title.clone(),
            standing: r.standing,
            basis: r.basis,
            served: r.facts.tasks_total > 0,
        })
        .collect();
    let holds = a
        .outcomes
        .iter()
        .filter(|r| matches!(r.standing, Standing::OffTrack | Standing::AtRisk))
        .map(|r| {
            let mut projects = Vec::new();
            let mut found: BTreeSet<String> = BTreeSet::new();
            let mut work = false;
            for &n in &r.drivers {
                // Work finished by the as-of date holds nothing up.
                if a.forecast[n.index()].is_some_and(|f| f <= as_of) {
                    continue;
                }
                match s.graph.dag[n].item {
                    Item::Outcome(_) => {}
                    Item::Project(p) => {
                        work = true;
                        let project = &s.model.projects[p];
                        projects.push((project.id.clone(), project.title.clone()));
                        let text = format!("{} {}", project.id, project.title);
                        let kind = kind_of(kinds, &text).unwrap_or(match project.kind {
                            ProjectKind::National => NATIONAL,
                            ProjectKind::Project | ProjectKind::Milestone => OTHER_PROJECT,
                        });
                        found.insert(kind.to_string());
                    }
                    Item::Task { action, task } => {
                        work = true;
                        let act = &s.model.actions[action];
                        let t = &act.tasks[task];
                        let text = format!("{} {} {}", t.id, t.text, act.section);
                        found.insert(kind_of(kinds, &text).unwrap_or(OTHER_TASK).to_string());
                    }
                }
            }
            if !work {
                let served = r.facts.tasks_total > 0;
                found.insert(if served { OTHER_TASK } else { UNSERVED }.to_string());
            }
            Hold {
                code: e.id(r.node).to_string(),
                standing: r.standing,
                projects,
                kinds: found.into_iter().collect(),
            }
        })
        .collect();
    let bvpi = s.bvpi(a)?.map(|f| (f.percent_at_deadline, f.target_percent));
    let simulation = match req.simulate {
        Some(runs) => {
            let sim = s.simulate(a, Options { runs, seed: req.seed, threads: 1 }, &|_| {})?;
            let zero = sim.required_misses.first().copied().unwrap_or(sim.runs);
            let (expected_misses, expected_misses_se) = sim.expected_misses();
            Some(CouncilSim {
                p_all_required: zero as f64 / sim.runs.max(1) as f64,
                expected_misses,
                expected_misses_se,
            })
        }
        None => None,
    };
    Ok(Council {
        name: spec.name.clone().unwrap_or_else(|| s.model.document.council.clone()),
        model: spec.model.display().to_string(),
        tier: s.model.document.tier,
        region: spec.region.clone(),
        as_of,
        model_hash: s.model.origin.hash.clone(),
        rules_hash: s.rules.hash.clone(),
        outcomes,
        bvpi,
        exposure_gbp: a.exposure.at_risk_gbp,
        funding_gbp: a.exposure.total_gbp,
        holds,
        simulation,
    })
}

// ---------------------------------------------------------------------------------------------
// The roll-up.

/// The nation's (or the partnership's) distribution of the number of councils achieving every
/// Required outcome, from each council's simulated probability, councils independent of one
/// another (a Poisson-binomial distribution, computed exactly).
#[derive(Debug, Clone, PartialEq)]
pub struct National {
    /// P(exactly k councils achieve every Required outcome), k = 0..=councils.
    pub pmf: Vec<f64>,
    /// The expected number.
    pub mean: f64,
    /// Its standard deviation.
    pub sd: f64,
    /// The 10th, 50th and 90th percentiles.
    pub p10: usize,
    /// Median.
    pub p50: usize,
    /// 90th percentile.
    pub p90: usize,
}

impl National {
    /// The distribution of the number of successes of independent trials with these
    /// probabilities.
    pub fn of(ps: &[f64]) -> National {
        let mut pmf = vec![0.0f64; ps.len() + 1];
        pmf[0] = 1.0;
        for (i, &p) in ps.iter().enumerate() {
            for k in (0..=i + 1).rev() {
                let stay = pmf[k] * (1.0 - p);
                let gain = if k > 0 { pmf[k - 1] * p } else { 0.0 };
                pmf[k] = stay + gain;
            }
        }
        let mean: f64 = ps.iter().sum();
        let sd = ps.iter().map(|p| p * (1.0 - p)).sum::<f64>().sqrt();
        let quantile = |q: f64| {
            let mut cum = 0.0;
            for (k, p) in pmf.iter().enumerate() {
                cum += p;
                if cum >= q - 1e-12 {
                    return k;
                }
            }
            pmf.len() - 1
        };
        National { mean, sd, p10: quantile(0.1), p50: quantile(0.5), p90: quantile(0.9), pmf }
    }
}

/// How one outcome stands across the councils rolled up.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeTally {
    /// `R8`.
    pub code: String,
    /// Required or Good.
    pub category: Category,
    /// Its title (the first council's, by name).
    pub title: String,
    /// Councils by standing, in [`Standing::ALL`] order.
    pub counts: [usize; 6],
    /// Of those, the verdicts resting on a rule's assumption, by standing.
    pub assumed: [usize; 6],
    /// Verdicts by basis, in [`DateBasis::ALL`] order (not-applicable outcomes left out).
    pub basis: [usize; 3],
    /// Councils whose routemap has no work serving it (not-applicable outcomes left out): their
    /// verdicts are the rules' for an outcome not in the routemap.
    pub not_in_routemap: usize,
}

/// Something that holds councils up (a kind of work or a named project), counted across them.
#[derive(Debug, Clone, PartialEq)]
pub struct Blocker {
    /// The kind's name, or the project's slug.
    pub id: String,
    /// The project's title (the first council's, by name); the kind's name again for a kind.
    pub title: String,
    /// Councils with an outcome it holds up.
    pub councils: usize,
    /// Outcomes off track it holds up, across councils.
    pub off_track: usize,
    /// Outcomes at risk it holds up, across councils.
    pub at_risk: usize,
    /// Required outcomes among them.
    pub required: usize,
}

/// The roll-up: the councils judged, those left out, and what was asked.
#[derive(Debug, Clone)]
pub struct Rollup {
    /// The councils rolled up (after the filters), sorted by name then model file.
    pub councils: Vec<Council>,
    /// The councils left out (those the filters keep), sorted by model file.
    pub left_out: Vec<LeftOut>,
    /// Councils judged but not kept by `--region` or `--tier`.
    pub filtered_out: usize,
    /// The kinds of work recognised.
    pub kinds: Vec<Kind>,
    /// What was asked.
    pub request: Request,
    /// With `--simulate`: the distribution of councils achieving every Required outcome.
    pub national: Option<National>,
}

/// Gather the councils the paths name, judge each on its own (on `req.jobs` threads), and roll
/// up those the filters keep. An error only when nothing can be rolled up: a path that is not
/// there, a manifest that cannot be read, no council found, or every council left out.
pub fn run(req: &Request) -> Result<Rollup, Error> {
    let (specs, kinds) = gather(&req.paths)?;
    if specs.is_empty() {
        return Err(Diagnostic::new("no council to roll up")
            .help("give model files (.yaml, .yml, .json), directories of them, or a manifest (docs/rollup.md)")
            .into());
    }
    let kinds = kinds.unwrap_or_else(default_kinds);
    let results = judge_all(&specs, req, &kinds);
    let mut councils = Vec::new();
    let mut left_out = Vec::new();
    for (spec, result) in specs.iter().zip(results) {
        match result {
            Ok(c) => councils.push(c),
            Err(error) => left_out.push(LeftOut {
                model: spec.model.display().to_string(),
                name: spec.name.clone(),
                tier: spec.tier,
                region: spec.region.clone(),
                error,
            }),
        }
    }
    if councils.is_empty() {
        let mut all = Vec::new();
        for l in left_out {
            all.extend(l.error.diagnostics);
        }
        all.push(
            Diagnostic::new("every council was left out: there is nothing to roll up")
                .help("fix the councils above; `routemap check --model FILE` checks one"),
        );
        return Err(all.into());
    }
    let in_region = |region: Option<&str>| {
        req.regions.is_empty()
            || region.is_some_and(|r| req.regions.iter().any(|x| x.eq_ignore_ascii_case(r.trim())))
    };
    let in_tier =
        |tier: Option<Tier>| req.tiers.is_empty() || tier.is_some_and(|t| req.tiers.contains(&t));
    let judged = councils.len();
    councils.retain(|c| in_region(c.region.as_deref()) && in_tier(c.tier));
    let filtered_out = judged - councils.len();
    // A council left out is listed unless what the manifest says of it puts it outside the
    // filters.
    left_out.retain(|l| {
        (req.regions.is_empty() || l.region.is_none() || in_region(l.region.as_deref()))
            && (req.tiers.is_empty() || l.tier.is_none() || in_tier(l.tier))
    });
    if councils.is_empty() {
        return Err(Diagnostic::new(format!(
            "no council of the {judged} judged is in the --region or --tier given"
        ))
        .help("the councils' regions and tiers are those their manifest gives (docs/rollup.md)")
        .into());
    }
    councils.sort_by(|a, b| (&a.name, &a.model).cmp(&(&b.name, &b.model)));
    left_out.sort_by(|a, b| a.model.cmp(&b.model));
    let national = req.simulate.map(|_| {
        let ps: Vec<f64> =
            councils.iter().filter_map(|c| c.simulation.map(|s| s.p_all_required)).collect();
        National::of(&ps)
    });
    Ok(Rollup { councils, left_out, filtered_out, kinds, request: req.clone(), national })
}

/// Judge every council, `req.jobs` at a time, each thread taking the next council when it is
/// free; the results in the order of `specs`, whatever the threads did.
fn judge_all(specs: &[Spec], req: &Request, kinds: &[Kind]) -> Vec<Result<Council, Error>> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Result<Council, Error>)>> =
        Mutex::new(Vec::with_capacity(specs.len()));
    let threads = req.jobs.clamp(1, specs.len().max(1));
    let rules = rule_sets(specs, req);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(spec) = specs.get(i) else { break };
                    mine.push((i, judge(spec, req, kinds, &rules)));
                }
                if let Ok(mut all) = done.lock() {
                    all.extend(mine);
                }
            });
        }
    });
    let mut all = done.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

impl Rollup {
    /// Every outcome any council has, R1..R29 then G1..G25 (then any a catalogue adds, by
    /// code), with the councils counted by standing and basis.
    pub fn outcomes(&self) -> Vec<OutcomeTally> {
        let mut by_code: BTreeMap<(u8, u32, String), OutcomeTally> = BTreeMap::new();
        for c in &self.councils {
            for v in &c.outcomes {
                let key = outcome_key(&v.code, v.category);
                let t = by_code.entry(key).or_insert_with(|| OutcomeTally {
                    code: v.code.clone(),
                    category: v.category,
                    title: v.title.clone(),
                    counts: [0; 6],
                    assumed: [0; 6],
                    basis: [0; 3],
                    not_in_routemap: 0,
                });
                let s = standing_index(v.standing);
                t.counts[s] += 1;
                if v.standing != Standing::NotApplicable {
                    if v.basis == DateBasis::Assumed {
                        t.assumed[s] += 1;
                    }
                    let b = DateBasis::ALL.iter().position(|x| *x == v.basis).unwrap_or(0);
                    t.basis[b] += 1;
                    t.not_in_routemap += usize::from(!v.served);
                }
            }
        }
        by_code.into_values().collect()
    }

    /// Each council's rank, in [`Rollup::councils`] order: 1 the best, by the share of its
    /// Required outcomes that apply achieved or on track, then its Good outcomes likewise, then
    /// the least grant at risk; councils level on all three share a rank.
    pub fn ranks(&self) -> Vec<usize> {
        let key = |c: &Council| {
            let share =
                |(ok, of): (usize, usize)| if of == 0 { 1.0 } else { ok as f64 / of as f64 };
            (
                share(c.expected(Category::Required)),
                share(c.expected(Category::Good)),
                c.exposure_gbp,
            )
        };
        let keys: Vec<(f64, f64, u64)> = self.councils.iter().map(key).collect();
        keys.iter()
            .map(|k| {
                1 + keys
                    .iter()
                    .filter(|o| {
                        o.0 > k.0 || (o.0 == k.0 && (o.1 > k.1 || (o.1 == k.1 && o.2 < k.2)))
                    })
                    .count()
            })
            .collect()
    }

    /// The kinds of work that hold councils up, most councils first.
    pub fn kinds_holding(&self) -> Vec<Blocker> {
        self.blockers(|h| h.kinds.iter().map(|k| (k.clone(), k.clone())).collect())
    }

    /// The named projects that hold councils up, most councils first.
    pub fn projects_holding(&self) -> Vec<Blocker> {
        self.blockers(|h| h.projects.clone())
    }

    fn blockers(&self, of: impl Fn(&Hold) -> Vec<(String, String)>) -> Vec<Blocker> {
        let mut by_id: BTreeMap<String, (Blocker, BTreeSet<usize>)> = BTreeMap::new();
        for (i, c) in self.councils.iter().enumerate() {
            for h in &c.holds {
                let mut once: Vec<(String, String)> = of(h);
                once.sort();
                once.dedup_by(|a, b| a.0 == b.0);
                let required = h.code.starts_with('R');
                for (id, title) in once {
                    let (b, seen) = by_id.entry(id.clone()).or_insert_with(|| {
                        (
                            Blocker {
                                id,
                                title,
                                councils: 0,
                                off_track: 0,
                                at_risk: 0,
                                required: 0,
                            },
                            BTreeSet::new(),
                        )
                    });
                    seen.insert(i);
                    match h.standing {
                        Standing::OffTrack => b.off_track += 1,
                        _ => b.at_risk += 1,
                    }
                    b.required += usize::from(required);
                }
            }
        }
        let mut out: Vec<Blocker> = by_id
            .into_values()
            .map(|(mut b, seen)| {
                b.councils = seen.len();
                b
            })
            .collect();
        out.sort_by(|a, b| {
            (b.councils, b.off_track, b.at_risk)
                .cmp(&(a.councils, a.off_track, a.at_risk))
                .then_with(|| a.id.cmp(&b.id))
        });
        out
    }

    /// The councils expected to achieve every Required outcome that applies to them.
    pub fn all_required(&self) -> usize {
        self.councils.iter().filter(|c| c.all_required()).count()
    }

    /// IEG grant at risk across the councils, and the grant in their funding streams.
    pub fn grant(&self) -> (u64, u64) {
        (
            self.councils.iter().map(|c| c.exposure_gbp).sum(),
            self.councils.iter().map(|c| c.funding_gbp).sum(),
        )
    }
}

/// The place of a standing in [`Standing::ALL`].
pub fn standing_index(s: Standing) -> usize {
    Standing::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// Outcomes sort by category (Required first), then number, then code.
fn outcome_key(code: &str, category: Category) -> (u8, u32, String) {
    let n = code
        .trim_start_matches(|c: char| c.is_ascii_alphabetic())
        .parse::<u32>()
        .unwrap_or(u32::MAX);
    (u8::from(category != Category::Required), n, code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_match_at_the_start_of_a_word() {
        let kinds = default_kinds();
        assert_eq!(
            kind_of(&kinds, "Corporate document management project"),
            Some("document management")
        );
        assert_eq!(kind_of(&kinds, "E-Forms phase 3"), Some("e-forms"));
        assert_eq!(kind_of(&kinds, "arcindex-crm"), Some("CRM and contact centre"));
        // `gis` inside `registration` is no gazetteer.
        assert_eq!(kind_of(&kinds, "Electoral registration"), None);
        assert_eq!(kind_of(&kinds, "GIS & NLPG"), Some("gazetteer and GIS (LLPG/NLPG)"));
    }

    #[test]
    fn the_national_distribution_is_poisson_binomial() {
        let n = National::of(&[0.5, 0.5]);
        assert_eq!(n.pmf, vec![0.25, 0.5, 0.25]);
        assert_eq!((n.p10, n.p50, n.p90), (0, 1, 2));
        let sure = National::of(&[1.0, 1.0, 0.0]);
        assert_eq!(sure.pmf, vec![0.0, 0.0, 1.0, 0.0]);
        assert!((sure.mean - 2.0).abs() < 1e-12);
    }

    #[test]
    fn outcomes_sort_by_category_then_number() {
        let mut codes =
            [("G1", Category::Good), ("R10", Category::Required), ("R2", Category::Required)];
        codes.sort_by_key(|(c, k)| outcome_key(c, *k));
        assert_eq!(codes.iter().map(|c| c.0).collect::<Vec<_>>(), ["R2", "R10", "G1"]);
    }
}
