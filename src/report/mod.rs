//! Rendering: small output structs, written as tables, JSON and the other formats. Reporters
//! never evaluate rules; they format what earlier stages computed.

pub mod bvpi;
pub mod check;
pub mod critical_path;
pub mod dashboard;
pub mod diff;
pub mod document;
pub mod docx;
pub mod escape;
pub mod explain;
pub mod exposure;
pub mod forecast;
pub mod graph;
pub mod ieg;
pub mod json;
pub mod outcomes;
pub mod output;
pub mod raster;
pub mod render;
pub mod risk;
pub mod rollup;
pub mod ruletest;
pub mod sensitivity;
pub mod simulate;
pub mod standing;
pub mod svg;
pub mod text;
pub mod what_if;

use std::io::Write;
use std::path::{Path, PathBuf};

use petgraph::graph::NodeIndex;
use serde::Serialize;

use crate::error::{Diagnostic, Error, io_reason};
use crate::graph::Item;
use crate::rules::Rules;
pub use crate::session::Evaluated;

/// Write `text` to `path` so that the file appears complete or not at all: write a temporary
/// file beside it, flush it to disk, then rename it over `path`. On any error the temporary file
/// is removed and an earlier file at `path` is left as it was. The temporary file's name is new
/// for every run (`.<name>.<process id>-<n>.partial`), so a run that was killed never blocks a
/// later one.
///
/// A symbolic link is followed, so the file it points to is replaced and the link kept; an
/// existing file keeps its permissions. A file this run reads (`inputs`: the model, its
/// catalogue, a scenario file, rule files) is never written over, whatever name reaches it, and
/// neither is a file we may not write (read-only, or owned by someone else). Something that is
/// not a regular file (`/dev/stdout`, a named pipe) cannot be replaced, so it is written to
/// directly; a named pipe that no process is reading is refused rather than waited on.
pub fn write_atomically(path: &Path, text: &str, inputs: &[PathBuf]) -> Result<(), Error> {
    write_bytes_atomically(path, text.as_bytes(), inputs)
}

/// [`write_atomically`] for bytes that are not text (a Word document).
pub fn write_bytes_atomically(path: &Path, text: &[u8], inputs: &[PathBuf]) -> Result<(), Error> {
    write_atomically_with(path, inputs, |w| w.write_all(text))
}

/// [`write_atomically`] for what `write` writes as it is made (a large JSON output, which is
/// then never held whole in memory). `write` is called once, on the temporary file, or on what
/// is there when that is not a regular file.
pub fn write_atomically_with(
    path: &Path,
    inputs: &[PathBuf],
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let fail = |e: std::io::Error| {
        Error::msg(format!("cannot write {}: {}", path.display(), io_reason(&e)))
    };
    let refuse = |why: String, help: &str| -> Error {
        Diagnostic::new(format!("cannot write {}: {why}", path.display())).help(help).into()
    };
    let existing = std::fs::metadata(path).ok();
    if let Some(m) = &existing {
        if m.is_dir() {
            return Err(Error::msg(format!("cannot write {}: it is a directory", path.display())));
        }
        for input in inputs {
            if std::fs::metadata(input).is_ok_and(|i| same_file(m, &i, path, input)) {
                return Err(refuse(
                    format!("it is {}, which this run reads", input.display()),
                    "choose another file for the output",
                ));
            }
        }
        if !m.is_file() {
            return write_special(path, m, write).map_err(|e| match e.kind() {
                std::io::ErrorKind::WouldBlock => refuse(
                    "it is a named pipe that no process is reading".into(),
                    "start the reader first, or leave out --output and redirect standard output",
                ),
                _ => fail(e),
            });
        }
        // Renaming would replace a file we may not write: say so instead.
        let writable = !m.permissions().readonly()
            && std::fs::OpenOptions::new().write(true).open(path).is_ok();
        if !writable {
            return Err(refuse(
                "it is read-only, or not ours to write".into(),
                "make it writable, or choose another file for the output",
            ));
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
    let (temp, mut file) = temporary(&target, &name).map_err(fail)?;
    let partial = Partial(temp);
    let written = (|| {
        let mut out = std::io::BufWriter::new(&mut file);
        write(&mut out)?;
        out.flush()?;
        drop(out);
        if let Some(m) = &existing {
            file.set_permissions(m.permissions())?;
        }
        file.sync_all()?;
        drop(file);
        // Renamed while the list is held, so that an interruption either finds the temporary
        // file listed and removes it, or finds the new file in place: never half of each.
        partial_files(|files| {
            let renamed = std::fs::rename(&partial.0, &target);
            if renamed.is_ok() {
                files.retain(|f| f != &partial.0);
            }
            renamed
        })
    })();
    drop(partial);
    written.map_err(fail)
}

/// A temporary file being written, removed when this is dropped unless it has been renamed into
/// place: after a write that failed, and after one that panicked part way.
struct Partial(PathBuf);

impl Drop for Partial {
    fn drop(&mut self) {
        // Removed before it is unlisted, under the list's lock, so that an interruption finds
        // it either listed or gone. A renamed file is no longer listed.
        partial_files(|files| {
            if let Some(i) = files.iter().position(|f| f == &self.0) {
                let _ = std::fs::remove_file(&self.0);
                files.remove(i);
            }
        });
    }
}

/// A new temporary file beside `target`, never one that is already there (another run's, or
/// one a killed run left behind), and never through a link. It is listed among the
/// [`partial_files`] until it is renamed or removed.
fn temporary(target: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let pid = std::process::id();
    let mut n = 0u32;
    loop {
        let temp = target.with_file_name(format!(".{name}.{pid}-{n}.partial"));
        // Listed before it exists, so that a signal arriving at any moment finds it.
        partial_files(|files| files.push(temp.clone()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) => {
                partial_files(|files| files.retain(|f| f != &temp));
                match e.kind() {
                    std::io::ErrorKind::AlreadyExists if n < 1000 => n += 1,
                    _ => return Err(e),
                }
            }
        }
    }
}

/// The temporary files this process is writing, which an interrupted run must not leave
/// behind: `f` sees and changes the list.
fn partial_files<T>(f: impl FnOnce(&mut Vec<PathBuf>) -> T) -> T {
    static FILES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut files = FILES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut files)
}

/// Remove every temporary file this process is still writing and exit with `code`: what the
/// binary does when it is interrupted (SIGINT, SIGTERM), so that no `.NAME.PID-N.partial` file
/// is left behind. The list stays held until the process has gone, so a write on another thread
/// cannot go on to rename a removed file (and fail) in the meantime; the file being replaced is
/// left as it was.
pub fn remove_partial_files_and_exit(code: i32) -> ! {
    partial_files(|files| {
        for f in files.drain(..) {
            let _ = std::fs::remove_file(f);
        }
        std::process::exit(code)
    })
}

/// Whether two paths name one file: the same device and inode where there are such things,
/// else the same canonical path.
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata, pa: &Path, pb: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = (pa, pb);
        a.dev() == b.dev() && a.ino() == b.ino()
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        matches!((std::fs::canonicalize(pa), std::fs::canonicalize(pb)), (Ok(x), Ok(y)) if x == y)
    }
}

/// Write to something that is not a regular file. A named pipe is first opened without
/// waiting, which fails (as `WouldBlock`) when no process is reading it.
fn write_special(
    path: &Path,
    meta: &std::fs::Metadata,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        if meta.file_type().is_fifo() {
            let probe = std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path)
                .map_err(|e| match e.raw_os_error() {
                    Some(libc::ENXIO) => std::io::Error::from(std::io::ErrorKind::WouldBlock),
                    _ => e,
                })?;
            drop(probe);
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let f = std::fs::OpenOptions::new().write(true).open(path)?;
    let mut out = std::io::BufWriter::new(f);
    write(&mut out)?;
    out.flush()
}

/// Which rules produced an output.
#[derive(Debug, Clone, Serialize)]
pub struct RulesInfo {
    /// Short content hash of every rule file.
    pub hash: String,
    /// The files, as paths.
    pub files: Vec<String>,
    /// The files among them read from the `--rules` directory, in the same order; left out
    /// when every file is embedded, so that outputs of the embedded rules keep their form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub from_directory: Vec<String>,
}

impl RulesInfo {
    /// Which rules these are.
    pub fn of(rules: &Rules) -> RulesInfo {
        RulesInfo {
            hash: rules.hash.clone(),
            files: rules.files.iter().map(|f| f.path.clone()).collect(),
            from_directory: rules.from_directory.clone(),
        }
    }
}

/// What the reports add to an evaluated routemap: labels, provenance and the rules' names.
impl Evaluated<'_> {
    /// Who answers for an outcome: the owners along its critical path, root cause first; failing
    /// those, the owners of the work that serves it directly.
    pub fn responsibility(&self, r: &crate::assess::OutcomeResult) -> String {
        fn add(owners: &mut Vec<String>, o: Option<String>) {
            if let Some(o) = o
                && !owners.contains(&o)
            {
                owners.push(o);
            }
        }
        let mut owners: Vec<String> = Vec::new();
        for &n in &r.drivers {
            add(&mut owners, self.owner(n));
        }
        if owners.is_empty() {
            for n in self.graph.dag.neighbors_directed(r.node, petgraph::Direction::Incoming) {
                add(&mut owners, self.owner(n));
            }
            owners.sort();
        }
        if owners.is_empty() { "not named in the routemap".to_string() } else { owners.join("; ") }
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

    /// The rules' provenance.
    pub fn rules_info(&self) -> RulesInfo {
        RulesInfo::of(self.rules)
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

    /// [`Evaluated::provenance`] as a Markdown paragraph: the council's words read literally.
    pub fn provenance_md(&self) -> String {
        escape::markdown(&self.provenance(), true)
    }
}
