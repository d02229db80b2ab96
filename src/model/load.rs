//! Reading a model and its catalogue from YAML, and validating it. Every problem found is
//! reported with its file, line and column; validation goes on after the first so that the user
//! sees them all at once.

// A fast hasher: a model crafted to collide slows only its own run.
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::hash_map::Entry;
use std::path::{Component, Path, PathBuf};

use serde::de::DeserializeOwned;

use super::by_text::ByText;
use super::chars;
use super::locate::Located;
use super::schema::{self, Finding, Shape};
use super::{Catalogue, Category, Dependency, Model, Outcome, Place, Span, Status, Target};
use crate::error::{Diagnostic, Error, suggest};

/// Where a model comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The Charnwood routemap compiled into the binary.
    Embedded,
    /// A model file on disk.
    Path(PathBuf),
}

/// The embedded files, by their path in the repository: the model, then the national catalogue.
const EMBEDDED: &[(&str, &str)] = &[
    ("fixtures/charnwood/routemap.yaml", include_str!("../../fixtures/charnwood/routemap.yaml")),
    ("fixtures/odpm-outcomes.yaml", include_str!("../../fixtures/odpm-outcomes.yaml")),
];

/// The same files as JSON (written by `build.rs`), which are parsed instead of the YAML for
/// speed; the YAML text still locates every message and is what the model's hash is taken of.
/// `embedded_json_equals_its_yaml` holds the two equal.
const EMBEDDED_JSON: [&str; 2] = [
    include_str!(concat!(env!("OUT_DIR"), "/routemap.json")),
    include_str!(concat!(env!("OUT_DIR"), "/odpm-outcomes.json")),
];

/// Embedded file `i`, from its JSON copy: trusted data, parsed with no nesting check.
fn embedded<T: DeserializeOwned>(i: usize) -> Result<T, Error> {
    serde_json::from_str(EMBEDDED_JSON[i]).map_err(|e| {
        Error::msg(format!("internal error: the JSON copy of {} does not read: {e}", EMBEDDED[i].0))
    })
}

/// The national catalogue, from its JSON copy.
fn national_catalogue() -> Result<Catalogue, Error> {
    embedded(1)
}

/// Where a loaded model came from: the files, for locating errors, and a short content hash.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The model file.
    pub model: Located,
    /// The catalogue file.
    pub catalogue: Located,
    /// A short hash of both files' contents: which data an output came from.
    pub hash: String,
}

/// Load the embedded default model.
pub fn load_embedded() -> Result<Model, Error> {
    load(&Source::Embedded)
}

/// Load and validate a model and its catalogue.
pub fn load(source: &Source) -> Result<Model, Error> {
    let model_path = match source {
        Source::Embedded => PathBuf::from(EMBEDDED[0].0),
        Source::Path(p) => p.clone(),
    };
    // The file's text is kept once, by its `Located`, which quotes it in messages.
    let model_file = Located::new(&display_name(source, &model_path), read(source, &model_path)?);
    let text = model_file.text();
    let mut model: Model = match source {
        Source::Embedded => embedded(0)?,
        Source::Path(_) => parse_shaped(&model_file, text, &schema::MODEL)?,
    };

    // The national catalogue is built in; a model's own `catalogue` file overrides its outcomes
    // by code and may add more.
    let national = EMBEDDED[1];
    let national_file = Located::new(&format!("<embedded>/{}", national.0), national.1);
    let national_outcomes = national_catalogue()?;
    let (catalogue_file, own) = match &model.catalogue {
        None => (national_file, None),
        Some(relative) => {
            let catalogue_path =
                lexical_join(model_path.parent().unwrap_or(Path::new("")), relative);
            let catalogue_text = read(source, &catalogue_path).map_err(|e| {
                // A file that is there but cannot be read as text keeps its own help and
                // location.
                let own = e.help.clone();
                Error::from(
                    Diagnostic::new(format!(
                        "cannot read the outcomes catalogue {}",
                        e.message.trim_start_matches("cannot read ")
                    ))
                    .at(e.location.as_deref().cloned().or_else(|| model_file.at("catalogue")))
                    .help(own.unwrap_or_else(|| {
                        "`catalogue` is a path relative to the model file; leave it out to use \
                         the built-in national catalogue (`routemap outcomes` lists it)"
                            .into()
                    })),
                )
            })?;
            let file = Located::new(&display_name(source, &catalogue_path), catalogue_text);
            // A copy of the built-in catalogue (as the embedded routemap names) is read once.
            let own: Catalogue = if file.text() == national.1 {
                national_outcomes.clone()
            } else {
                parse_shaped(&file, file.text(), &schema::CATALOGUE)?
            };
            (file, Some(own))
        }
    };

    let hash = short_hash(&[text.as_bytes(), catalogue_file.text().as_bytes()]);
    model.origin = Origin { model: model_file, catalogue: catalogue_file, hash };
    let diagnostics = validate(&mut model, national_outcomes, own);
    if diagnostics.is_empty() { Ok(model) } else { Err(diagnostics.into()) }
}

/// Validate a model written inside another file (a rule test), with the embedded outcomes
/// catalogue; `file` locates its fields and `text` is what the hash is taken of.
pub(crate) fn inline(mut model: Model, file: Located, text: &str) -> Result<Model, Error> {
    let (name, catalogue_text) = EMBEDDED[1];
    let catalogue_file = Located::new(&format!("<embedded>/{name}"), catalogue_text);
    let catalogue = national_catalogue()?;
    let hash = short_hash(&[text.as_bytes(), catalogue_file.text().as_bytes()]);
    model.origin = Origin { model: file, catalogue: catalogue_file, hash };
    let diagnostics = validate(&mut model, catalogue, None);
    if diagnostics.is_empty() { Ok(model) } else { Err(diagnostics.into()) }
}

fn display_name(source: &Source, path: &Path) -> String {
    match source {
        Source::Embedded => format!("<embedded>/{}", path.display()),
        Source::Path(_) => path.display().to_string(),
    }
}

fn read(source: &Source, path: &Path) -> Result<String, Diagnostic> {
    match source {
        Source::Embedded => EMBEDDED
            .iter()
            .find(|(name, _)| Path::new(name) == path)
            .map(|(_, text)| text.to_string())
            .ok_or_else(|| Diagnostic::new(format!("no embedded file {}", path.display()))),
        Source::Path(_) => crate::input::read_text(path),
    }
}

/// The catalogue file a model file names, if it names one and can be read: a file the run reads
/// (so that no output replaces it).
pub fn catalogue_path(model: &Path) -> Option<PathBuf> {
    let text = crate::input::read_text(model).ok()?;
    let relative = named_catalogue(&text)?;
    Some(lexical_join(model.parent().unwrap_or(Path::new("")), &relative))
}

/// The `catalogue` a model's text names, if it reads and names one as text.
fn named_catalogue(text: &str) -> Option<String> {
    /// Only a model's `catalogue`: every other field is skipped as it is read, not kept (a
    /// whole large model read as a YAML value took several times its size in memory).
    #[derive(serde::Deserialize)]
    struct Named {
        catalogue: Option<String>,
    }
    let named: Named = match serde_json::from_str(text) {
        Ok(named) => named,
        Err(_) => {
            // A file the loader refuses unread is not read here either (it would be slow to).
            if super::locate::too_deep(text, MAX_NESTING).is_some()
                || super::locate::too_many_aliased(text).is_some()
            {
                return None;
            }
            serde_yaml::from_str(text).ok()?
        }
    };
    named.catalogue
}

/// Join a relative path, resolving `..` without touching the file system.
fn lexical_join(base: &Path, relative: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in base.join(relative).components() {
        match part {
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// FNV-1a, 64 bits, as 12 hex digits: stable across platforms and versions.
pub fn short_hash(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")[..12].to_string()
}

/// Why a file did not deserialise: the field path, serde's message, and its line and column.
type Failure = (String, String, Option<(usize, usize)>);

/// Read JSON, or `None` when the text is not JSON at all (`{a: 1}` is YAML's flow style), so
/// that the YAML parser reads it instead.
fn from_json<T: DeserializeOwned>(text: &str) -> Option<Result<T, Failure>> {
    // The plain parse first: only a file that fails pays for tracking the path to the error.
    if let Ok(v) = serde_json::from_str(text) {
        return Some(Ok(v));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let failure = |path: String, e: &serde_json::Error| {
        let mut message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        if let Some(cut) = message.find(&suffix) {
            message.truncate(cut);
        }
        let at = (e.line() > 0).then(|| (e.line(), json_column(text, e.line(), e.column())));
        (path, message, at)
    };
    match serde_path_to_error::deserialize(&mut de) {
        Ok(v) => match de.end() {
            Ok(()) => Some(Ok(v)),
            Err(_) => None,
        },
        Err(e) if e.inner().is_data() => Some(Err(failure(e.path().to_string(), e.inner()))),
        Err(_) => None,
    }
}

/// Read YAML.
fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<T, Failure> {
    // The plain parse first: only a file that fails pays for tracking the path to the error.
    if let Ok(v) = serde_yaml::from_str(text) {
        return Ok(v);
    }
    let de = serde_yaml::Deserializer::from_str(text);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut message = inner.to_string();
        let at = inner.location().map(|l| (l.line(), l.column()));
        if let Some((line, column)) = at {
            let suffix = format!(" at line {line} column {column}");
            if let Some(cut) = message.find(&suffix) {
                message.truncate(cut);
            }
        }
        (path, message, at)
    })
}

/// How deeply `[...]` and `{...}` may nest in a model or scenario file: far more than any needs,
/// far less than makes the YAML scanner slow.
const MAX_NESTING: usize = 64;

/// Refuse YAML nested deeper than [`MAX_NESTING`] or whose aliases expand too far, before the
/// YAML parser (slow on either) sees it.
fn yaml_bounds(file: &Located, text: &str) -> Result<(), Error> {
    if let Some((line, column)) = super::locate::too_deep(text, MAX_NESTING) {
        return Err(Diagnostic::new(format!("lists and maps nested more than {MAX_NESTING} deep"))
            .at(Some(file.location(line, column, 1)))
            .help("a model or scenario file nests a few levels deep; is a bracket repeated?")
            .into());
    }
    if let Some((line, column, limit)) = super::locate::too_many_aliased(text) {
        return Err(Diagnostic::new(format!(
            "YAML aliases expand this file to more than {limit} values"
        ))
        .at(Some(file.location(line, column, token_width(file.line(line), column))))
        .help(format!(
            "a routemap file needs no anchors (`&name`) or aliases (`*name`): write each value out; \
             aliases may add at most {} values beyond one per byte of the file",
            super::locate::MAX_ALIASED_VALUES
        ))
        .into());
    }
    Ok(())
}

/// Deserialise a whole file, turning serde's error into a located diagnostic. A file whose
/// first character is `{` is JSON (which is YAML too) and is read by the much faster JSON
/// parser, for machine-written roll-ups. `doc` names the page describing the format, for help.
pub(crate) fn parse_yaml<T: DeserializeOwned>(
    file: &Located,
    text: &str,
    doc: &str,
) -> Result<T, Error> {
    // JSON first: a file that reads as JSON is not scanned (the JSON parser reads no deeper than
    // the types, and JSON has no aliases). One that does not read is scanned before anything
    // reads it as YAML, as locating its problems does.
    let json = if text.trim_start().starts_with('{') { from_json(text) } else { None };
    let failed = match json {
        Some(Ok(v)) => return Ok(v),
        Some(Err(failed)) => {
            yaml_bounds(file, text)?;
            failed
        }
        None => {
            yaml_bounds(file, text)?;
            match from_yaml(text) {
                Ok(v) => return not_text(file).map(|()| v),
                Err(failed) => failed,
            }
        }
    };
    let (path, mut message, at) = failed;
    // libyaml reports a character it refuses by its byte offset alone (`control characters are
    // not allowed at position 454`, placed at 1:1).
    let offset = message.rsplit_once(" at position ").and_then(|(_, n)| n.parse::<usize>().ok());
    let at = if offset.is_some() { None } else { at };
    let mut location =
        at.map(|(line, column)| file.location(line, column, token_width(file.line(line), column)));
    // Find such a character, and name it at its line and column.
    if location.is_none()
        && let Some((offset, c)) = text.char_indices().find(|&(_, c)| !yaml_printable(c))
    {
        return Err(Diagnostic::new(format!(
            "the file holds {}, which YAML does not allow in a file",
            chars::describe(c)
        ))
        .at(Some(file.at_byte(offset)))
        .help(
            "a routemap file holds printable text, tabs and line breaks: remove it (see \
             docs/model.md)",
        )
        .into());
    }
    if location.is_none()
        && let Some(offset) = offset
    {
        location = Some(file.at_byte(offset));
        message.truncate(message.rfind(" at position ").unwrap_or(message.len()));
    }
    // serde_yaml prefixes some messages with the (parent) path already: keep ours only.
    if let Some((prefix, rest)) = message.split_once(": ")
        && !prefix.contains(' ')
        && path.starts_with(prefix.trim_end_matches('.'))
    {
        message = rest.to_string();
    }
    let help = serde_help(&message, doc);
    // serde quotes the value it rejects, which may be of any length.
    let mut message = crate::error::clip(&message, 300);
    // A syntax error has no meaningful field path.
    if path != "." && !path.contains('?') && !message.contains("not allowed in this context") {
        message = format!("{path}: {message}");
    }
    let duplicate = message.contains("duplicate ");
    let diagnostic = Diagnostic::new(message).at(location.or_else(|| file.at(&path)));
    let diagnostic = match help {
        Some(h) => diagnostic.help(h),
        None => diagnostic,
    };
    // serde stops at the first key given twice, and places it at its map: report every one, each
    // at the key itself.
    let duplicates = file.duplicates();
    if duplicates.is_empty() {
        return Err(diagnostic.into());
    }
    let mut out = if duplicate { Vec::new() } else { vec![diagnostic] };
    for d in duplicates {
        let key = crate::error::clip(&chars::escaped(&d.key), 80);
        let message = if d.map.is_empty() {
            format!("duplicate key `{key}`")
        } else {
            format!("{}: duplicate key `{key}`", d.map)
        };
        out.push(Diagnostic::new(message).at(Some(d.at)).help(format!(
            "`{key}` is first given on line {}; a key may be given once in a map: remove one, \
             or merge them",
            d.first_line
        )));
    }
    Err(out.into())
}

/// Whether YAML allows `c` in a file (its `c-printable`): tab, line breaks, printable ASCII,
/// next line (U+0085) and the rest of Unicode but the C1 controls, surrogates, U+FFFE and U+FFFF.
fn yaml_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// Deserialise a model or catalogue file. serde stops at the first missing or unknown field:
/// when that is why it failed, every missing and unknown field of the file is found and
/// reported at once, beside serde's error when that is of another kind.
fn parse_shaped<T: DeserializeOwned>(
    file: &Located,
    text: &str,
    shape: &'static Shape,
) -> Result<T, Error> {
    parse_yaml(file, text, "docs/model.md").map_err(|first| {
        let fieldy = |d: &Diagnostic| {
            d.message.contains("missing field `") || d.message.contains("unknown field `")
        };
        if !first.diagnostics.iter().any(fieldy) {
            return first;
        }
        let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(text) else { return first };
        let found = schema::walk(&value, shape);
        if found.is_empty() {
            return first;
        }
        let mut out: Vec<Diagnostic> =
            first.diagnostics.into_iter().filter(|d| !fieldy(d)).collect();
        for f in found {
            out.push(match f {
                Finding::Missing { path, shape, field } => {
                    let message = if path == "." {
                        format!("missing field `{field}`")
                    } else {
                        format!("{path}: missing field `{field}`")
                    };
                    Diagnostic::new(message)
                        .at(file.at(&path))
                        .help(format!("every {shape} needs `{field}` (see docs/model.md)"))
                }
                Finding::Unknown { path, field, fields } => {
                    let expected: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
                    Diagnostic::new(format!(
                        "{path}: unknown field `{field}`, expected one of {}",
                        expected.join(", ")
                    ))
                    .at(file.key_at(&path))
                    .help(suggest_field(&field, &fields, "docs/model.md"))
                }
            });
        }
        out.sort_by_key(|d| d.location.as_ref().map(|l| (l.line, l.column)));
        Error::from(out)
    })
}

/// Refuse what YAML reads as other than text where text is required (see
/// [`Located::not_text`]): serde would take a null as the text `null` and a tag's value as text.
fn not_text(file: &Located) -> Result<(), Error> {
    let found = file.not_text();
    if found.is_empty() {
        return Ok(());
    }
    Err(found
        .into_iter()
        .map(|(message, help, at)| Diagnostic::new(message).at(Some(at)).help(help))
        .collect::<Vec<_>>()
        .into())
}

/// serde_json reports the byte column just after a string it rejects (a key, a value): point at
/// the string's opening quote instead, as a character column.
fn json_column(text: &str, line: usize, column: usize) -> usize {
    let source = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    // The characters before the reported byte column.
    let before: Vec<char> =
        source.char_indices().take_while(|(b, _)| *b < column).map(|(_, c)| c).collect();
    let end = before.len();
    if end > 0
        && before[end - 1] == '"'
        && let Some(open) = before[..end - 1].iter().rposition(|c| *c == '"')
    {
        return open + 1;
    }
    end.max(1)
}

/// Help for serde's messages: say what to write.
fn serde_help(message: &str, doc: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`')?;
        let fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return Some(suggest_field(field, &fields, doc));
    }
    if message.contains("mapping values are not allowed") {
        return Some(
            "a value containing `: ` must be quoted, e.g. `comments: \"Note: ...\"`".into(),
        );
    }
    if message.contains("expected a sequence") {
        return Some("write a list: `[R11, R12]`, or one `- item` per line".into());
    }
    if [
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "trailing input",
    ]
    .iter()
    .any(|m| message.contains(m))
    {
        return Some("expected a date written YYYY-MM-DD, such as `2005-04-13`".into());
    }
    None
}

fn suggest_field(field: &str, fields: &[&str], doc: &str) -> String {
    let near = crate::error::nearest(field, fields.iter().copied());
    match near.first() {
        Some(n) => format!("did you mean `{n}`? (see {doc})"),
        None => format!("the fields here are {} (see {doc})", fields.join(", ")),
    }
}

/// The width of the token starting at a 1-based column.
fn token_width(line: &str, column: usize) -> usize {
    line.chars()
        .skip(column.saturating_sub(1))
        .take_while(|c| !c.is_whitespace() && !matches!(c, ':' | ',' | ']' | '}'))
        .count()
}

/// Check everything serde cannot: codes, ids, phrases, statuses, references. Fills the parsed
/// fields of the model as it goes.
/// The largest funding stream accepted, in pounds: sums of many stay far from overflowing.
const MAX_STREAM_GBP: u64 = 1_000_000_000_000;

fn validate(model: &mut Model, national: Catalogue, own: Option<Catalogue>) -> Vec<Diagnostic> {
    let own_words =
        model.status_words.iter().map(|(word, status)| (Status::key(word), *status)).collect();
    let mut v = Validator {
        model_file: &model.origin.model,
        errors: Vec::new(),
        own_words,
        readings: Readings::default(),
    };
    // A model's own catalogue replaces national outcomes by code and may add more.
    let mut outcomes = national.outcomes;
    if let Some(own) = own {
        for outcome in v.outcomes(&model.origin.catalogue, own) {
            match outcomes.iter_mut().find(|o| o.code == outcome.code) {
                Some(national) => *national = outcome,
                None => outcomes.push(outcome),
            }
        }
    }
    outcomes.sort_by_key(|o| Outcome::sort_key(&o.code));
    model.outcomes = outcomes;

    let codes: Vec<String> = model.outcomes.iter().map(|o| o.code.clone()).collect();
    for (i, project) in model.projects.iter_mut().enumerate() {
        let at = Place::project(i);
        project.start = v.target(project.start_text.as_deref(), || at.path("start"));
        project.finish = v.target(project.finish_text.as_deref(), || at.path("finish"));
        project.status = v.status(project.status_text.as_deref(), || at.path("status"));
        project.duration =
            project.duration_text.as_deref().and_then(|d| v.span(d, || at.path("duration")));
        // A start and a finish: the work runs between them.
        if let (Some(start), Some(finish)) = (project.start.date(), project.finish.date()) {
            if start > finish {
                v.error(
                    format!(
                        "project `{}` starts on {start}, after it finishes on {finish}",
                        project.id
                    ),
                    &at.path("start"),
                    "a project's `start` must come on or before its `finish`",
                );
            } else if project.duration.is_none() {
                let days = u32::try_from((finish - start).num_days()).unwrap_or(u32::MAX);
                project.duration = Some(Span { months: 0, days });
            }
        }
        v.dependencies(&mut project.waits_on, at);
        if let Some(e) = project.estimate.as_mut() {
            v.estimate(e, at);
        }
    }
    let mut refs: HashMap<String, usize> = HashMap::default();
    // Whether each action's id (from its ref) and its tasks' ids are checked for uniqueness:
    // not those of an action whose ref is refused or repeats another's.
    let mut checked = Vec::with_capacity(model.actions.len());
    for (i, action) in model.actions.iter_mut().enumerate() {
        let at = Place::action(i);
        action.id = action_id(&action.reference);
        let bad_ref = action.reference.chars().find(|c| !chars::ref_char(*c));
        if let Some(c) = bad_ref {
            let mut help = "an action ref is written as the routemap prints it, in ASCII letters, \
                            digits, spaces and punctuation (`10`, `42 & 47`)"
                .to_string();
            let meant: String = action.reference.chars().filter(|c| chars::ref_char(*c)).collect();
            if !meant.trim().is_empty() {
                help.push_str(&format!(": write `{}`", meant.trim()));
            }
            v.error(
                format!(
                    "the action ref `{}` holds {}, which action refs may not hold",
                    chars::escaped(&action.reference),
                    chars::describe(c)
                ),
                &at.path("ref"),
                help,
            );
        }
        // A ref given again names where it was first given, however many times it repeats.
        let first = *refs.entry(action.reference.clone()).or_insert(i);
        let duplicate = first != i;
        if duplicate {
            let line = v.model_file.line_of(&Place::action(first).item()).unwrap_or(0);
            v.error(
                format!("duplicate action ref `{}`", action.reference),
                &at.path("ref"),
                format!("action ref `{}` is first defined on line {line}", action.reference),
            );
        }
        checked.push(Checked { action: !duplicate && bad_ref.is_none(), tasks: !duplicate });
        for (j, code) in action.outcomes.iter().enumerate() {
            if !codes.contains(code) {
                v.error(
                    format!("unknown outcome code `{code}`"),
                    &at.path(&format!("outcomes[{j}]")),
                    format!(
                        "outcome codes are R1..R29 and G1..G25 as the catalogue lists them; {}",
                        suggest(code, codes.iter().map(String::as_str))
                    ),
                );
            }
        }
        for (j, task) in action.tasks.iter_mut().enumerate() {
            let at = Place::task(i, j);
            if task.id.is_empty() {
                task.id = format!("{}.{}", action.id, j + 1);
            }
            let original = v.target(task.original.as_deref(), || at.path("original"));
            let proposed = v.target(task.proposed.as_deref(), || at.path("proposed"));
            task.target_proposed = proposed != Target::Unset;
            task.target = if task.target_proposed { proposed } else { original };
            task.status = v.status(task.status_text.as_deref(), || at.path("status"));
            if action.completed && task.status_text.is_none() {
                task.status = Status::Complete;
            }
            v.dependencies(&mut task.waits_on, at);
            if let Some(e) = task.estimate.as_mut() {
                v.estimate(e, at);
            }
        }
    }
    for (i, risk) in model.risks.iter_mut().enumerate() {
        if let Some(d) = risk.delays.as_mut() {
            v.risk_delay(d, i);
        }
    }
    unique_ids(model, &checked, &mut v);
    let mut marked: HashMap<&str, usize> = HashMap::default();
    for (i, na) in model.not_applicable.iter().enumerate() {
        let path = format!("not_applicable[{i}]");
        if !codes.contains(&na.outcome) {
            v.error(
                format!("unknown outcome code `{}`", na.outcome),
                &format!("{path}.outcome"),
                format!(
                    "outcome codes are R1..R29 and G1..G25 as the catalogue lists them; {}",
                    suggest(&na.outcome, codes.iter().map(String::as_str))
                ),
            );
        } else if let Some(first) = marked.insert(na.outcome.as_str(), i) {
            let line = v.model_file.line_of(&format!("not_applicable[{first}]")).unwrap_or(0);
            v.error(
                format!("`{}` is marked not applicable twice", na.outcome),
                &format!("{path}.outcome"),
                format!("it is first marked on line {line}: keep one entry, with one reason"),
            );
        }
        if na.reason.trim().is_empty() {
            v.error(
                format!("`{}` is marked not applicable with an empty `reason`", na.outcome),
                &format!("{path}.reason"),
                "say why the council does not deliver it, such as `the County delivers social care`",
            );
        }
    }
    for outcome in &mut model.outcomes {
        outcome.council_tier = model.document.tier;
        outcome.marked_not_applicable = model
            .not_applicable
            .iter()
            .find(|na| na.outcome == outcome.code)
            .map(|na| na.reason.clone());
    }
    for (i, stream) in model.funding.iter().enumerate() {
        if stream.amount_gbp > MAX_STREAM_GBP {
            v.error(
                format!(
                    "funding stream `{}` of £{} is implausibly large",
                    stream.id, stream.amount_gbp
                ),
                &format!("funding[{i}].amount_gbp"),
                format!("amounts are whole pounds, at most {MAX_STREAM_GBP} (a trillion)"),
            );
        }
    }
    let work = model.projects.len() + model.actions.iter().map(|a| a.tasks.len()).sum::<usize>();
    let mut ids: HashSet<&str> = HashSet::with_capacity_and_hasher(work, Default::default());
    ids.extend(
        model
            .projects
            .iter()
            .map(|p| p.id.as_str())
            .chain(model.actions.iter().flat_map(|a| a.tasks.iter().map(|t| t.id.as_str()))),
    );
    let dangling = |deps: &[Dependency], v: &mut Validator<'_>| {
        for dep in deps {
            if !v.bad_id(&dep.id, || dep.path()) && !ids.contains(dep.id.as_str()) {
                v.error(
                    format!("`waits_on` names `{}`, which is no task or project", dep.id),
                    &dep.path(),
                    suggest(&dep.id, ids.iter().copied()),
                );
            }
        }
    };
    for p in &model.projects {
        dangling(&p.waits_on, &mut v);
    }
    for (i, risk) in model.risks.iter().enumerate() {
        for (k, id) in risk.delays.iter().flat_map(|d| d.work.iter()).enumerate() {
            let path = format!("risks[{i}].delays.work[{k}]");
            if !v.bad_id(id, || path.clone()) && !ids.contains(id.as_str()) {
                v.error(
                    format!("`delays` names `{id}`, which is no task or project"),
                    &path,
                    suggest(id, ids.iter().copied()),
                );
            }
        }
    }
    for (_, t) in model.tasks() {
        dangling(&t.waits_on, &mut v);
    }
    if let Some(table) = model.bvpi157.as_mut() {
        let actions: HashSet<&str> = model.actions.iter().map(|a| a.id.as_str()).collect();
        bvpi157(&mut v, table, &ids, &actions);
    }
    let mut streams: HashMap<String, String> = HashMap::default();
    for (i, stream) in model.funding.iter().enumerate() {
        let path = format!("funding[{i}]");
        if !v.bad_id(&stream.id, || format!("{path}.id")) {
            match streams.entry(stream.id.clone()) {
                Entry::Vacant(e) => {
                    e.insert(path.clone());
                }
                Entry::Occupied(first) => {
                    let line = v.model_file.line_of(first.get()).unwrap_or(0);
                    v.error(
                        format!("duplicate funding stream id `{}`", stream.id),
                        &format!("{path}.id"),
                        format!("`{}` is first defined on line {line}", stream.id),
                    );
                }
            }
        }
        if !matches!(Target::parse(&stream.financial_year), Ok(Target::By(_)))
            || !stream.financial_year.contains('/')
        {
            v.error(
                format!("`{}` is not a financial year", stream.financial_year),
                &format!("{path}.financial_year"),
                "expected a financial year such as `2005/06`",
            );
        }
    }
    texts(model, &mut v);
    dates(model, &mut v);
    v.errors.sort_by_key(|d| d.location.as_ref().map(|l| (l.file.clone(), l.line, l.column)));
    v.errors
}

/// The BVPI 157 table: percentages that only rise, from the baseline to at most 100, and links
/// that name real work, each with its quote.
fn bvpi157(
    v: &mut Validator<'_>,
    table: &mut super::Bvpi157,
    ids: &HashSet<&str>,
    actions: &HashSet<&str>,
) {
    if table.enabled_percent > 100 {
        v.error(
            format!("{}% enabled is more than 100%", table.enabled_percent),
            "bvpi157.enabled_percent",
            "the share of processes enabled is a whole percentage from 0 to 100",
        );
    }
    let mut previous = ("bvpi157.enabled_percent".to_string(), table.enabled_percent);
    for (i, row) in table.interactions.iter_mut().enumerate() {
        let path = format!("bvpi157.interactions[{i}]");
        let percent = row.enabled_target_percent;
        if percent > 100 {
            v.error(
                format!("{percent}% enabled is more than 100%"),
                &format!("{path}.enabled_target_percent"),
                "the share of processes enabled is a whole percentage from 0 to 100",
            );
        } else if percent < previous.1 {
            let line = v.model_file.line_of(&previous.0).unwrap_or(0);
            v.error(
                format!("{percent}% enabled is less than the {}% above it", previous.1),
                &format!("{path}.enabled_target_percent"),
                format!(
                    "the % enabled targets are cumulative, so they never fall: line {line} has {}%",
                    previous.1
                ),
            );
        }
        previous = (format!("{path}.enabled_target_percent"), percent.max(previous.1));
        for (k, link) in row.enabled_by.iter_mut().enumerate() {
            let lpath = format!("{path}.enabled_by[{k}]");
            link.path = format!("{lpath}.id");
            if !v.bad_id(&link.id, || link.path.clone())
                && !ids.contains(link.id.as_str())
                && !actions.contains(link.id.as_str())
            {
                v.error(
                    format!(
                        "`enabled_by` names `{}`, which is no task, project or action",
                        link.id
                    ),
                    &link.path,
                    suggest(&link.id, ids.iter().chain(actions.iter()).copied()),
                );
            }
            if link.source.trim().is_empty() {
                v.error(
                    format!("the link to `{}` has an empty `source`", link.id),
                    &format!("{lpath}.source"),
                    "a link needs a short quote from the routemap that states or implies it",
                );
            }
        }
    }
}

/// The id of an action: its ref with runs of other characters than letters and digits as `-`.
pub fn action_id(reference: &str) -> String {
    let mut id = String::new();
    for c in reference.trim().chars() {
        if c.is_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_matches('-').to_string()
}

/// The longest id accepted, in characters: ids are slugs, and a longer one is a mistake (which
/// would otherwise reach the rules, and the "did you mean" search, at full length).
pub const MAX_ID_CHARS: usize = 200;

/// What an id may hold, for help: see docs/model.md, "Ids and text".
const ID_ALPHABET: &str = "ids are ASCII letters, digits, `.`, `-` and `_`, starting with a letter \
                           or a digit, such as `document-management` or `10.2` (see docs/model.md)";

fn too_long(id: &str) -> bool {
    id.chars().nth(MAX_ID_CHARS).is_some()
}

/// The longest text the rules see (a task's text, a title, a risk's description, a comment), in
/// characters, and the longest target phrase or status. Both sit well below the rules' own
/// string limit, so that the model's data can never make a rule fail.
pub const MAX_TEXT_CHARS: usize = 4_000;
pub(crate) const MAX_PHRASE_CHARS: usize = 500;

/// The rules' string limit is in bytes (10,000), and a character outside ASCII takes two to four
/// of them in UTF-8: a text may also take at most half as many bytes again as its limit in
/// characters. Lower-casing a character at most adds half its bytes (`İ` to `i̇`, `Ⱥ` to `ⱥ`),
/// so a rule that lower-cases the longest text (`forecast.rhai` does a comment) stays under the
/// limit: 4,000 characters, 6,000 bytes, at most 9,000 bytes lower-cased.
fn max_bytes(limit_chars: usize) -> usize {
    limit_chars + limit_chars / 2
}

/// What is wrong with a text whose limit is `limit` characters, as a message and its help: too
/// long (in characters, or in bytes: see [`max_bytes`]), or holding a character that is not
/// text (see [`chars::not_text`]). The one check every text of a model, a catalogue and a
/// scenario file passes.
pub(crate) fn text_problem(text: &str, limit: usize) -> Option<(String, String)> {
    // A text of no more bytes than the limit has no more characters (each takes a byte or more).
    if text.len() > limit && text.chars().nth(limit).is_some() {
        return Some((
            format!(
                "`{}` is {} characters long",
                crate::error::clip(text, 40),
                text.chars().count()
            ),
            format!("at most {limit} characters here"),
        ));
    }
    let bytes = max_bytes(limit);
    if text.len() > bytes {
        return Some((
            format!("`{}` is {} bytes long in UTF-8", crate::error::clip(text, 40), text.len()),
            format!(
                "at most {limit} characters and {bytes} bytes here (a character outside ASCII \
                 takes 2 to 4 bytes)"
            ),
        ));
    }
    let (at, c) = chars::bad_text_char(text)?;
    let kind = if c.is_control() { "a control character" } else { "a Unicode non-character" };
    // The text around the character, with it written out.
    let from = at.saturating_sub(20);
    let around: String = text.chars().skip(from).take(40).collect();
    let ellipsis = if from > 0 { "..." } else { "" };
    Some((
        format!(
            "`{ellipsis}{}` holds {}, {kind}",
            crate::error::clip(&chars::escaped(&around), 80),
            chars::describe(c)
        ),
        "text may hold any character but control characters (other than tab and line breaks) \
         and Unicode non-characters: remove it (see docs/model.md)"
            .into(),
    ))
}

/// One text check: the text, its limit in characters, and its path (built only for an error).
type Check<'a> = dyn FnMut(&str, usize, &dyn Fn() -> String) + 'a;

/// Check every text of the model (ids have their own check, [`Validator::bad_id`]): each is
/// capped below the rules' string limit and holds only text, the model's fault found by
/// `check` rather than a rule's failure or an invisible character later.
fn texts(model: &Model, v: &mut Validator<'_>) {
    let mut check = |text: &str, limit: usize, path: &dyn Fn() -> String| {
        if let Some((message, help)) = text_problem(text, limit) {
            v.error(message, &path(), help);
        }
    };
    let text = MAX_TEXT_CHARS;
    let phrase = MAX_PHRASE_CHARS;
    let d = &model.document;
    for (field, value) in [("council", &d.council), ("title", &d.title), ("version", &d.version)] {
        check(value, text, &|| format!("document.{field}"));
    }
    if let Some(c) = &model.catalogue {
        check(c, text, &|| "catalogue".into());
    }
    for word in model.status_words.keys() {
        check(word, phrase, &|| format!("status_words.{word}"));
    }
    let estimate = |check: &mut Check<'_>, at: Place, e: Option<&super::Estimate>| {
        let Some(e) = e else { return };
        for (field, value) in
            [("earliest", &e.earliest), ("likely", &e.likely), ("latest", &e.latest)]
        {
            check(value, phrase, &|| at.path(&format!("estimate.{field}")));
        }
        if let Some(source) = &e.source {
            check(source, text, &|| at.path("estimate.source"));
        }
    };
    let deps = |check: &mut Check<'_>, at: Place, deps: &[Dependency]| {
        for (k, dep) in deps.iter().enumerate() {
            if let Some(lag) = &dep.lag_text {
                check(lag, phrase, &|| at.path(&format!("waits_on[{k}].lag")));
            }
            if let Some(source) = &dep.source {
                check(source, text, &|| at.path(&format!("waits_on[{k}].source")));
            }
        }
    };
    for (i, p) in model.projects.iter().enumerate() {
        let at = Place::project(i);
        check(&p.title, text, &|| at.path("title"));
        for (field, value) in [
            ("start", &p.start_text),
            ("finish", &p.finish_text),
            ("duration", &p.duration_text),
            ("status", &p.status_text),
        ] {
            if let Some(t) = value {
                check(t, phrase, &|| at.path(field));
            }
        }
        for (field, value) in
            [("progress", &p.progress), ("owner", &p.owner), ("source", &p.source)]
        {
            if let Some(t) = value {
                check(t, text, &|| at.path(field));
            }
        }
        deps(&mut check, at, &p.waits_on);
        estimate(&mut check, at, p.estimate.as_deref());
    }
    for (i, a) in model.actions.iter().enumerate() {
        let at = Place::action(i);
        check(&a.reference, phrase, &|| at.path("ref"));
        check(&a.section, text, &|| at.path("section"));
        check(&a.requirement, text, &|| at.path("requirement"));
        if let Some(owner) = &a.owner {
            check(owner, text, &|| at.path("owner"));
        }
        for (k, code) in a.outcomes.iter().enumerate() {
            check(code, phrase, &|| at.path(&format!("outcomes[{k}]")));
        }
        for (j, t) in a.tasks.iter().enumerate() {
            let at = Place::task(i, j);
            check(&t.text, text, &|| at.path("text"));
            for (field, value) in
                [("original", &t.original), ("proposed", &t.proposed), ("status", &t.status_text)]
            {
                if let Some(x) = value {
                    check(x, phrase, &|| at.path(field));
                }
            }
            for (field, value) in
                [("status_note", &t.status_note), ("owner", &t.owner), ("comments", &t.comments)]
            {
                if let Some(x) = value {
                    check(x, text, &|| at.path(field));
                }
            }
            deps(&mut check, at, &t.waits_on);
            estimate(&mut check, at, t.estimate.as_deref());
        }
    }
    for (i, na) in model.not_applicable.iter().enumerate() {
        check(&na.outcome, phrase, &|| format!("not_applicable[{i}].outcome"));
        check(&na.reason, text, &|| format!("not_applicable[{i}].reason"));
    }
    for (i, f) in model.funding.iter().enumerate() {
        check(&f.name, text, &|| format!("funding[{i}].name"));
        check(&f.financial_year, phrase, &|| format!("funding[{i}].financial_year"));
        for (field, value) in [("depends_on", &f.depends_on), ("source", &f.source)] {
            if let Some(x) = value {
                check(x, text, &|| format!("funding[{i}].{field}"));
            }
        }
    }
    for (i, r) in model.risks.iter().enumerate() {
        check(&r.reference, phrase, &|| format!("risks[{i}].ref"));
        for (field, value) in [("title", &r.title), ("description", &r.description)] {
            check(value, text, &|| format!("risks[{i}].{field}"));
        }
        for (k, action) in r.proposed_actions.iter().enumerate() {
            check(action, text, &|| format!("risks[{i}].proposed_actions[{k}]"));
        }
        if let Some(x) = &r.responsibility {
            check(x, text, &|| format!("risks[{i}].responsibility"));
        }
    }
    for (i, r) in model.cmt_risks.iter().enumerate() {
        check(&r.risk, text, &|| format!("cmt_risks[{i}].risk"));
        for (k, c) in r.countermeasures.iter().enumerate() {
            check(c, text, &|| format!("cmt_risks[{i}].countermeasures[{k}]"));
        }
    }
    if let Some(b) = &model.bvpi157 {
        check(&b.target, text, &|| "bvpi157.target".into());
        for (i, row) in b.interactions.iter().enumerate() {
            let at = format!("bvpi157.interactions[{i}]");
            check(&row.interaction, text, &|| format!("{at}.interaction"));
            for (k, service) in row.services.iter().enumerate() {
                check(service, text, &|| format!("{at}.services[{k}]"));
            }
            for (k, link) in row.enabled_by.iter().enumerate() {
                check(&link.source, text, &|| format!("{at}.enabled_by[{k}].source"));
            }
        }
    }
}

/// Refuse a date outside the years routemap reads (see [`super::target::MIN_YEAR`]): serde
/// reads `05-04-13` as the year 5 and `+262142-12-31` as a date at the calendar's end.
fn dates(model: &Model, v: &mut Validator<'_>) {
    let d = &model.document;
    let mut found: Vec<(chrono::NaiveDate, String)> =
        vec![(d.issue_date, "document.issue_date".into())];
    found.extend(d.target_cabinet.map(|c| (c, "document.target_cabinet".into())));
    for (i, f) in model.funding.iter().enumerate() {
        found.extend(f.paid_on.map(|c| (c, format!("funding[{i}].paid_on"))));
    }
    for (i, r) in model.cmt_risks.iter().enumerate() {
        found.extend(r.identified.map(|c| (c, format!("cmt_risks[{i}].identified"))));
    }
    for (date, path) in found {
        // Only a year outside those routemap reads is a problem: a date in range is not
        // located at all (locating indexes the whole file).
        if super::target::year_problem(date, &date.to_string()).is_none() {
            continue;
        }
        // The date as the file writes it, which the message quotes.
        let written = v
            .model_file
            .at(&path)
            .map(|l| {
                let line = v.model_file.line(l.line);
                line.chars().skip(l.column - 1).take(l.width).collect::<String>()
            })
            .map(|w| w.trim_matches(['"', '\'']).to_string())
            .filter(|w| !w.is_empty())
            .unwrap_or_else(|| date.to_string());
        if let Some((message, help)) = super::target::year_problem(date, &written) {
            v.error(format!("{path}: {message}"), &path, help);
        }
    }
}

/// Which of an action's ids are checked for uniqueness (see [`unique_ids`]).
struct Checked {
    action: bool,
    tasks: bool,
}

/// Every project, action and task id, in file order, with where it is: actions, tasks and
/// projects share one namespace (slips name any of them). An action stands by its ref.
fn ids_in_order<'m>(
    model: &'m Model,
    checked: &'m [Checked],
) -> impl Iterator<Item = (&'m str, Place)> + 'm {
    let projects =
        model.projects.iter().enumerate().map(|(i, p)| (p.id.as_str(), Place::project(i)));
    let actions = model.actions.iter().zip(checked).enumerate().flat_map(|(i, (a, c))| {
        let own = c.action.then(|| (a.id.as_str(), Place::action(i)));
        let tasks = a.tasks.iter().enumerate().filter(move |_| c.tasks);
        own.into_iter().chain(tasks.map(move |(j, t)| (t.id.as_str(), Place::task(i, j))))
    });
    projects.chain(actions)
}

/// The field an id is written in: an action's id is its ref.
fn id_field(at: Place) -> &'static str {
    if matches!(at, Place::Action(_)) { "ref" } else { "id" }
}

/// Refuse an empty id, a malformed one, and one defined twice (at each later definition, naming
/// the line of the first). Each id is kept once, by reference, with where it is first defined.
fn unique_ids(model: &Model, checked: &[Checked], v: &mut Validator<'_>) {
    let count = ids_in_order(model, checked).count();
    let mut seen: HashMap<&str, Place> =
        HashMap::with_capacity_and_hasher(count, Default::default());
    for (id, at) in ids_in_order(model, checked) {
        let field = id_field(at);
        if id.is_empty() {
            let help = "ids are slugs such as `document-management`";
            v.error("empty id".into(), &at.path(field), help);
        } else if !v.bad_id(id, || at.path(field)) {
            match seen.entry(id) {
                Entry::Vacant(e) => {
                    e.insert(at);
                }
                Entry::Occupied(e) => {
                    let first = *e.get();
                    let line = v.model_file.line_of(&first.path(id_field(first))).unwrap_or(0);
                    v.error(
                        format!("duplicate id `{id}`"),
                        &at.path(field),
                        format!("`{id}` is first defined on line {line}; task, project and action ids must be unique"),
                    );
                }
            }
        }
    }
}

struct Validator<'f> {
    /// The model file, which locates each problem (borrowed: it holds the file's whole text).
    model_file: &'f Located,
    errors: Vec<Diagnostic>,
    /// The model's `status_words`, normalised.
    own_words: Vec<(String, Status)>,
    /// Target phrases and status cells already read.
    readings: Readings,
}

/// What each target phrase and status cell already met reads as. A routemap writes the same
/// few phrases (`March 2005`, `In progress`) on most of its work, and reading one is the
/// costliest part of checking a piece of work: each distinct phrase is read once. Both
/// readings are pure functions of the text (statuses also of the model's own words, fixed
/// for the run).
#[derive(Default)]
struct Readings {
    targets: ByText<Result<Target, String>>,
    statuses: ByText<Result<Status, String>>,
}

impl Validator<'_> {
    fn error(&mut self, message: String, path: &str, help: impl Into<String>) {
        let d = Diagnostic::new(message).at(self.model_file.at(path)).help(help);
        self.errors.push(d);
    }

    fn outcomes(&mut self, file: &Located, catalogue: Catalogue) -> Vec<Outcome> {
        let mut seen: HashMap<String, usize> = HashMap::default();
        let mut out = Vec::new();
        for (i, o) in catalogue.outcomes.into_iter().enumerate() {
            let path = format!("outcomes[{i}]");
            let letter = o.code.chars().next();
            // Digits only: `R+8` or `R 8` would read as 8.
            let number = o
                .code
                .get(1..)
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| n.parse::<u32>().ok());
            let expected_category = match letter {
                Some('R') => Some(Category::Required),
                Some('G') => Some(Category::Good),
                _ => None,
            };
            let mut fail = |message: String, field: &str, help: &str| {
                let at = file.at(&format!("{path}.{field}"));
                self.errors.push(Diagnostic::new(message).at(at).help(help));
            };
            let mut texts_fine = true;
            for (field, value, limit) in [
                ("code", &o.code, MAX_PHRASE_CHARS),
                ("title", &o.title, MAX_TEXT_CHARS),
                ("area", &o.area, MAX_TEXT_CHARS),
            ] {
                if let Some((message, help)) = text_problem(value, limit) {
                    fail(message, field, &help);
                    texts_fine &= field != "code";
                }
            }
            if !texts_fine {
                continue;
            }
            if expected_category.is_none() || number.is_none() {
                fail(
                    format!("`{}` is not an outcome code", o.code),
                    "code",
                    "expected R or G followed by a number, such as `R8` or `G19`",
                );
                continue;
            }
            if expected_category != Some(o.category) {
                fail(
                    format!("outcome {} is listed as {}", o.code, o.category.as_str()),
                    "category",
                    "R codes are `required` and G codes are `good`",
                );
            }
            if let Some(first) = seen.insert(o.code.clone(), i) {
                let line = file.line_of(&format!("outcomes[{first}]")).unwrap_or(0);
                fail(
                    format!("duplicate outcome code `{}`", o.code),
                    "code",
                    &format!("`{}` is first defined on line {line}", o.code),
                );
                continue;
            }
            out.push(o);
        }
        out.sort_by_key(|o| Outcome::sort_key(&o.code));
        out
    }

    /// Refuse an id that is too long or holds a character outside the id alphabet (see
    /// [`chars::bad_id_char`]); whether it did. `path` says where it is, and is written out
    /// only for a refusal.
    fn bad_id(&mut self, id: &str, path: impl FnOnce() -> String) -> bool {
        if too_long(id) {
            self.long_id(id, &path());
            return true;
        }
        let Some((at, c)) = chars::bad_id_char(id) else { return false };
        let path = path();
        let path = path.as_str();
        let message = if at == 0 && c.is_ascii_punctuation() {
            format!("the id `{}` starts with {}", chars::escaped(id), chars::describe(c))
        } else {
            format!(
                "the id `{}` holds {}, which ids may not hold",
                chars::escaped(id),
                chars::describe(c)
            )
        };
        let mut help = ID_ALPHABET.to_string();
        if let Some(meant) = chars::id_without_bad_chars(id) {
            help.push_str(&format!(": write `{meant}`"));
        }
        self.error(message, path, help);
        true
    }

    fn long_id(&mut self, id: &str, path: &str) {
        self.error(
            format!(
                "the id `{}` is {} characters long",
                crate::error::clip(id, 40),
                id.chars().count()
            ),
            path,
            format!(
                "ids are slugs such as `document-management`, at most {MAX_ID_CHARS} characters"
            ),
        );
    }

    fn target(&mut self, phrase: Option<&str>, path: impl FnOnce() -> String) -> Target {
        let read = self.readings.targets.get_or(phrase.unwrap_or(""), Target::parse);
        read.unwrap_or_else(|help| {
            let phrase = phrase.unwrap_or("");
            let message = if help.contains(" has no day ") {
                format!("impossible date `{}`", crate::error::clip(phrase, 200))
            } else {
                format!("unrecognised target phrase `{}`", crate::error::clip(phrase, 200))
            };
            self.error(message, &path(), help);
            Target::Unset
        })
    }

    fn status(&mut self, text: Option<&str>, path: impl FnOnce() -> String) -> Status {
        let text = text.unwrap_or("");
        let own = &self.own_words;
        let read = self.readings.statuses.get_or(text, |t| Status::parse_with(t, own));
        read.unwrap_or_else(|help| {
            self.error(
                format!("unrecognised status `{}`", crate::error::clip(text, 200)),
                &path(),
                help,
            );
            Status::Unreported
        })
    }

    fn span(&mut self, text: &str, path: impl FnOnce() -> String) -> Option<Span> {
        Span::parse(text)
            .map_err(|help| {
                self.error(format!("unrecognised length of time `{text}`"), &path(), help);
            })
            .ok()
    }

    /// A register risk's delay: probabilities from 0 to 1, three lengths of time in order.
    fn risk_delay(&mut self, d: &mut super::RiskDelay, i: usize) {
        for (field, p) in [
            ("probability", Some(d.probability)),
            ("mitigated_probability", d.mitigated_probability),
        ] {
            if let Some(p) = p
                && !(0.0..=1.0).contains(&p)
            {
                self.error(
                    format!("a {} of {p} is not a probability", field.replace('_', " ")),
                    &format!("risks[{i}].delays.{field}"),
                    "a probability is a number from 0 to 1, such as 0.3",
                );
            }
        }
        let fields = [
            ("earliest", &d.delay.earliest),
            ("likely", &d.delay.likely),
            ("latest", &d.delay.latest),
        ];
        for (k, (field, text)) in fields.iter().enumerate() {
            let path = format!("risks[{i}].delays.delay.{field}");
            if let Some(span) = self.span(text, || path.clone()) {
                d.delay.spans[k] = span;
            }
        }
        let days = d.delay.spans.map(Span::approx_days);
        if days[0] > days[1] || days[1] > days[2] {
            self.error(
                "the delay's earliest, likely and latest are out of order".to_string(),
                &format!("risks[{i}].delays.delay"),
                "a delay runs earliest, likely, latest: each no shorter than the one before",
            );
        }
    }

    /// Parse an estimate's three points: target phrases naming a date, or lengths of time; the
    /// dates among them must not fall out of order.
    fn estimate(&mut self, e: &mut super::Estimate, at: Place) {
        let fields = [("earliest", &e.earliest), ("likely", &e.likely), ("latest", &e.latest)];
        let mut points = [super::Point::Unread; 3];
        for (k, (field, text)) in fields.iter().enumerate() {
            let path = || at.path(&format!("estimate.{field}"));
            points[k] = match (Span::parse(text), Target::parse(text)) {
                (Ok(span), _) => super::Point::After(span),
                (_, Ok(Target::By(d))) => super::Point::By(d),
                _ => {
                    self.error(
                        format!(
                            "the estimate's {field} `{}` is neither a date nor a length of time",
                            crate::error::clip(text, 200)
                        ),
                        &path(),
                        "each point of an estimate is a target phrase naming a date (`Dec 2005`) \
                         or a length of time (`6m`, from the work's start or the as-of date)",
                    );
                    super::Point::Unread
                }
            };
        }
        let dated: Vec<(usize, chrono::NaiveDate)> = points
            .iter()
            .enumerate()
            .filter_map(|(k, p)| match p {
                super::Point::By(d) => Some((k, *d)),
                _ => None,
            })
            .collect();
        if let Some(pair) = dated.windows(2).find(|w| w[0].1 > w[1].1) {
            let (a, b) = (fields[pair[0].0].0, fields[pair[1].0].0);
            self.error(
                format!("the estimate's {a} {} is later than its {b} {}", pair[0].1, pair[1].1),
                &at.path(&format!("estimate.{b}")),
                "an estimate runs earliest, likely, latest: each point no earlier than the one before",
            );
        }
        let spans: Vec<(usize, Span)> = points
            .iter()
            .enumerate()
            .filter_map(|(k, p)| match p {
                super::Point::After(s) => Some((k, *s)),
                _ => None,
            })
            .collect();
        if let Some(pair) = spans.windows(2).find(|w| w[0].1.approx_days() > w[1].1.approx_days()) {
            let (a, b) = (fields[pair[0].0].0, fields[pair[1].0].0);
            self.error(
                format!("the estimate's {a} is longer than its {b}"),
                &at.path(&format!("estimate.{b}")),
                "an estimate runs earliest, likely, latest: each point no shorter than the one before",
            );
        }
        e.points = points;
    }

    fn dependencies(&mut self, deps: &mut [Dependency], at: Place) {
        for (k, dep) in deps.iter_mut().enumerate() {
            dep.at = (at, super::index(k));
            if let Some(lag) = dep.lag_text.as_deref() {
                dep.lag =
                    self.span(lag, || at.path(&format!("waits_on[{k}].lag"))).unwrap_or_default();
            }
            if dep.implied && dep.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
                self.error(
                    format!("the implied dependency on `{}` has no `source`", dep.id),
                    &at.path(&format!("waits_on[{k}]")),
                    "an implied dependency needs a short quote from the routemap that implies it",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The catalogue a model names, which no output may replace, is found in JSON and YAML
    /// alike, and only where the model names one as text.
    #[test]
    fn the_catalogue_a_model_names_is_found_in_json_and_yaml() {
        let named = |t: &str| named_catalogue(t);
        let json =
            r#"{"document": {"council": "A"}, "actions": [{"ref": "1"}], "catalogue": "c.yaml"}"#;
        assert_eq!(named(json).as_deref(), Some("c.yaml"));
        assert_eq!(
            named("document:\n  council: A\ncatalogue: ../c.yaml\n").as_deref(),
            Some("../c.yaml")
        );
        assert_eq!(named("catalogue: c.yaml # the County's\n").as_deref(), Some("c.yaml"));
        assert_eq!(named(r#"{"document": {"council": "A"}}"#), None);
        assert_eq!(named("catalogue: [c.yaml]\n"), None);
        // As the loader reads it: YAML reads a bare 5 as text where text is wanted.
        assert_eq!(named("catalogue: 5\n").as_deref(), Some("5"));
        assert_eq!(named("{ not: yaml: at all"), None);
    }

    #[test]
    fn action_ids_are_slugs() {
        assert_eq!(action_id("10"), "10");
        assert_eq!(action_id("42 & 47"), "42-47");
        assert_eq!(action_id("P1"), "P1");
    }

    #[test]
    fn joins_relative_paths() {
        assert_eq!(
            lexical_join(Path::new("fixtures/charnwood"), "../odpm-outcomes.yaml"),
            PathBuf::from("fixtures/odpm-outcomes.yaml")
        );
    }

    /// Each embedded file's JSON copy reads as exactly the same values as its YAML.
    #[test]
    fn embedded_json_equals_its_yaml() {
        let file = |name: &str, text: &str| Located::new(name, text);
        let (name, yaml) = EMBEDDED[0];
        let from_yaml: Model = parse_shaped(&file(name, yaml), yaml, &schema::MODEL).unwrap();
        let from_json: Model = embedded(0).unwrap();
        assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"));
        let (name, yaml) = EMBEDDED[1];
        let from_yaml: Catalogue = parse_yaml(&file(name, yaml), yaml, "").unwrap();
        let from_json: Catalogue = national_catalogue().unwrap();
        assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"));
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(short_hash(&[b"abc"]), short_hash(&[b"abc"]));
        assert_ne!(short_hash(&[b"ab", b"c"]), short_hash(&[b"abc"]));
    }
}
