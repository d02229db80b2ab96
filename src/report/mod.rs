//! Rendering: small output structs, written as tables, JSON and the other formats. Reporters
//! never evaluate rules; they format what earlier stages computed.

pub mod bvpi;
pub mod check;
pub mod critical_path;
pub mod document;
pub mod explain;
pub mod exposure;
pub mod forecast;
pub mod graph;
pub mod ieg_return;
pub mod json;
pub mod outcomes;
pub mod risk_report;
pub mod rule_tests;
pub mod sensitivity;
pub mod simulate;
pub mod text;
pub mod what_if;

use std::io::Write;
use std::path::Path;

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::assess::Assessment;
use crate::error::{Diagnostic, Error, io_reason};
use crate::graph::{Graph, Item};
use crate::model::Model;
use crate::rules::Rules;

/// Write `text` to `path` so that the file appears complete or not at all: write a temporary
/// file beside it, flush it to disk, then rename it over `path`. On any error the temporary file
/// is removed and an earlier file at `path` is left as it was.
///
/// A symbolic link is followed, so the file it points to is replaced and the link kept; an
/// existing file keeps its permissions. Something that is not a regular file (`/dev/stdout`, a
/// named pipe) cannot be replaced, so it is written to directly.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let fail = |e: std::io::Error| {
        Error::msg(format!("cannot write {}: {}", path.display(), io_reason(&e)))
    };
    let existing = std::fs::metadata(path).ok();
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(Error::msg(format!("cannot write {}: it is a directory", path.display())));
        }
        if !m.is_file() {
            let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(fail)?;
            return f.write_all(text.as_bytes()).map_err(fail);
        }
    }
    // Where the bytes really go: through any symbolic links.
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(fail)?,
        _ => path.to_path_buf(),
    };
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.is_empty() {
        return Err(Error::msg(format!("cannot write to {}: not a file name", path.display())));
    }
    let temp = target.with_file_name(format!(".{name}.partial"));
    let written = (|| {
        // A new file only: never through a link or over another run's unfinished file.
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        f.write_all(text.as_bytes())?;
        if let Some(m) = &existing {
            f.set_permissions(m.permissions())?;
        }
        f.sync_all()?;
        std::fs::rename(&temp, &target)
    })();
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(Diagnostic::new(format!(
                "cannot write {}: {} already exists",
                path.display(),
                temp.display()
            ))
            .help("another routemap may be writing this file; if not, remove the leftover file")
            .into());
        }
        if temp.is_file() {
            let _ = std::fs::remove_file(&temp);
        }
        return Err(fail(e));
    }
    Ok(())
}

/// Everything a report may draw on: the model, its graph, the rules and the assessment.
pub struct Evaluated<'a> {
    /// The model.
    pub model: &'a Model,
    /// Its graph.
    pub graph: &'a Graph,
    /// The rules used.
    pub rules: &'a Rules,
    /// The assessment.
    pub assessment: &'a Assessment,
}

/// Which rules produced an output.
#[derive(Debug, Clone, Serialize)]
pub struct RulesInfo {
    /// Short content hash of every rule file.
    pub hash: String,
    /// The files, as paths.
    pub files: Vec<String>,
}

impl Evaluated<'_> {
    /// The node's stable id.
    pub fn id(&self, n: NodeIndex) -> &str {
        &self.graph.dag[n].id
    }

    /// A one-line label: task text, project title or outcome title.
    pub fn label(&self, n: NodeIndex) -> String {
        match self.graph.dag[n].item {
            Item::Outcome(o) => self.model.outcomes[o].title.clone(),
            Item::Task { action, task } => {
                text::clip(&self.model.actions[action].tasks[task].text, 70)
            }
            Item::Project(p) => self.model.projects[p].title.clone(),
        }
    }

    /// Who is responsible for a node: the task's owner, else its action's; the project's owner.
    pub fn owner(&self, n: NodeIndex) -> Option<String> {
        match self.graph.dag[n].item {
            Item::Outcome(_) => None,
            Item::Task { action, task } => {
                let a = &self.model.actions[action];
                a.tasks[task].owner.clone().or_else(|| a.owner.clone())
            }
            Item::Project(p) => self.model.projects[p].owner.clone(),
        }
    }

    /// The rules' provenance.
    pub fn rules_info(&self) -> RulesInfo {
        RulesInfo {
            hash: self.rules.hash.clone(),
            files: self.rules.files.iter().map(|f| f.path.clone()).collect(),
        }
    }

    /// "model <hash>, rules <hash>": a line naming what produced an output.
    pub fn provenance(&self) -> String {
        format!(
            "{} {} (model {}), rules {}, as of {}",
            self.model.document.council,
            self.model.document.version,
            self.model.origin.hash,
            self.rules.hash,
            text::long_date(self.assessment.basis.as_of)
        )
    }
}
