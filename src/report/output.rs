//! One output path for every command: choosing a format ([`Format`], from `render`) from
//! `--format` or the `--output` file's extension, and sending the result to standard output or
//! (atomically) a file.

use std::path::{Path, PathBuf};

use clap::Args;

pub use super::render::{ColorChoice, Format, JsonWriter, Rendered, Stdout};
use super::render::{Render, Terminal};
use crate::error::{Diagnostic, Error};

/// The output options every command takes.
#[derive(Debug, Clone, Default, Args)]
pub struct OutputArgs {
    /// Output format; when absent, the --output file's extension (.json, .csv, .md, .html,
    /// .svg, .dot...) chooses it, else the command's default.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Write to this file instead of standard output, atomically: it appears complete or not
    /// at all.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave out the UTF-8 byte-order mark a CSV file written with --output starts with.
    #[arg(long)]
    pub no_bom: bool,
}

/// Where the result of a command goes, and in which format.
#[derive(Debug, Clone)]
pub struct Output {
    /// The chosen format.
    pub format: Format,
    /// Where a table is shown (never coloured, 100 columns, into a file).
    pub terminal: Terminal,
    path: Option<PathBuf>,
    bom: bool,
    /// The files this run reads, which the output must never replace.
    reads: Vec<PathBuf>,
}

impl OutputArgs {
    /// [`OutputArgs::choose`] for a command whose result is a `T`: the formats it offers are
    /// the ones `T` writes.
    pub fn choose_for<T: Render>(
        &self,
        command: &str,
        colour: ColorChoice,
    ) -> Result<Output, Error> {
        self.choose(command, T::FORMATS, colour)
    }

    /// Choose the format for `command`, which writes `offered` (its default first): `--format`,
    /// else the extension of `--output`, else the default. A format the command does not write
    /// is an error naming the ones it does.
    pub fn choose(
        &self,
        command: &str,
        offered: &[Format],
        colour: ColorChoice,
    ) -> Result<Output, Error> {
        let names = || offered.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ");
        self.check_extension(command, offered)?;
        let format = match (self.format, self.output.as_deref().and_then(Format::from_path)) {
            (Some(f), _) => {
                if !offered.contains(&f) {
                    return Err(Diagnostic::new(format!("{command} cannot write {}", f.name()))
                        .help(format!("{command} writes {}", names()))
                        .into());
                }
                f
            }
            (None, Some(f)) if offered.contains(&f) => f,
            (None, Some(f)) => {
                let path = self.output.as_deref().map(Path::display);
                return Err(Diagnostic::new(format!(
                    "{command} cannot write {} (asked for by the name {})",
                    f.name(),
                    path.map(|p| p.to_string()).unwrap_or_default()
                ))
                .help(format!("give --format: {command} writes {}", names()))
                .into());
            }
            (None, None) => offered[0],
        };
        if format == Format::Docx && self.output.is_none() {
            return Err(Diagnostic::new(format!("{command} writes docx only to a file"))
                .help(format!("give --output FILE, e.g. {command} -o report.docx"))
                .into());
        }
        Ok(Output {
            format,
            terminal: Terminal::detect(colour, self.output.is_some()),
            path: self.output.clone(),
            bom: !self.no_bom,
            reads: Vec::new(),
        })
    }
}

/// Extensions of files other programs write (PDF, spreadsheets, pictures, older Word
/// documents): a file with one of these names is never written, whatever `--format` says,
/// since it would not open as what its name promises.
const FOREIGN: [&str; 14] = [
    "pdf", "xlsx", "xls", "xlsm", "ods", "odt", "doc", "rtf", "png", "jpg", "jpeg", "gif", "pptx",
    "ppt",
];

impl OutputArgs {
    /// An `--output` name whose extension routemap does not write is refused, naming the ones
    /// it does: always for another program's format (`.pdf`, `.xlsx`, `.png`, `.doc`), and for
    /// any other unknown extension when no `--format` says what to write. A name without an
    /// extension is written in the chosen format.
    fn check_extension(&self, command: &str, offered: &[Format]) -> Result<(), Error> {
        let Some(path) = self.output.as_deref() else { return Ok(()) };
        let Some(ext) = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()) else {
            return Ok(());
        };
        if Format::from_path(path).is_some() {
            return Ok(());
        }
        let foreign = FOREIGN.contains(&ext.as_str());
        if !foreign && self.format.is_some() {
            return Ok(());
        }
        let written: Vec<String> =
            offered.iter().map(|f| format!(".{}", f.extension())).collect::<Vec<_>>();
        let help = match ext.as_str() {
            "pdf" if offered.contains(&Format::Html) => format!(
                "{command} writes {}; for a PDF, write .html and print it from a browser",
                written.join(", ")
            ),
            "xlsx" | "xls" | "xlsm" | "ods" if offered.contains(&Format::Csv) => {
                format!("{command} writes {}; a spreadsheet opens the .csv", written.join(", "))
            }
            "doc" | "rtf" | "odt" if offered.contains(&Format::Docx) => {
                format!("{command} writes {}; Word opens the .docx", written.join(", "))
            }
            _ => format!("{command} writes {}", written.join(", ")),
        };
        Err(Diagnostic::new(format!(
            "{command} cannot write {} files (asked for by the name {})",
            ext,
            path.display()
        ))
        .help(help)
        .into())
    }
}

impl Output {
    /// The files this run reads (model, catalogue, scenario and rule files): the output file is
    /// never one of them, whatever name reaches it.
    /// Only an output to a file asks for them.
    pub fn reading(mut self, reads: impl FnOnce() -> Vec<PathBuf>) -> Self {
        if self.path.is_some() {
            self.reads = reads();
        }
        self
    }

    /// More files this run read, known only once it has run (the model files `routemap test`'s
    /// cases name): the output file is never one of them either.
    pub fn also_reading(mut self, more: &[PathBuf]) -> Self {
        if self.path.is_some() {
            self.reads.extend(more.iter().cloned());
        }
        self
    }

    /// Send a rendered result on its way: into the `--output` file (returning nothing for
    /// standard output), or back for standard output.
    pub fn finish(&self, text: String) -> Result<String, Error> {
        match &self.path {
            Some(path) => {
                let text = if self.format == Format::Csv && self.bom {
                    format!("\u{feff}{text}")
                } else {
                    text
                };
                super::write_atomically(path, &text, &self.reads)?;
                Ok(String::new())
            }
            None => Ok(text),
        }
    }
}

impl Output {
    /// Render `result` in the chosen format for the chosen terminal, and send it on its way
    /// ([`Output::finish_rendered`]).
    pub fn emit<T: Render>(&self, result: &T) -> Result<Stdout, Error> {
        if self.format == Format::Json
            && let Some(write) = result.json_writer()
        {
            return match &self.path {
                None => Ok(Stdout::Json(write)),
                Some(path) => super::write_atomically_with(path, &self.reads, write)
                    .map(|()| Stdout::Text(String::new())),
            };
        }
        let rendered = match result.render(self.format, &self.terminal)? {
            // Text for people fits the terminal: long heading lines and lists are wrapped. Into a
            // file, as onto a terminal (where `main` filters all standard output), no control
            // character from the input is obeyed.
            Rendered::Text(t) if self.format == Format::Table => {
                let wrapped = super::text::wrap(&t, self.terminal.width);
                Rendered::Text(match self.path {
                    Some(_) => super::escape::terminal_painted(&wrapped).into_owned(),
                    None => wrapped,
                })
            }
            other => other,
        };
        self.finish_rendered(rendered).map(Stdout::Text)
    }
}

impl Output {
    /// [`Output::finish`] for a result that may be bytes, which go only into the `--output`
    /// file ([`OutputArgs::choose`] refuses a binary format without one).
    pub fn finish_rendered(&self, rendered: Rendered) -> Result<String, Error> {
        match (rendered, &self.path) {
            (Rendered::Text(text), _) => self.finish(text),
            (Rendered::Bytes(bytes), Some(path)) => {
                super::write_bytes_atomically(path, &bytes, &self.reads).map(|()| String::new())
            }
            (Rendered::Bytes(_), None) => Err(Error::msg("a binary format needs --output FILE")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_chooses_the_format() {
        let f = |p: &str| Format::from_path(Path::new(p));
        assert_eq!(f("report.html"), Some(Format::Html));
        assert_eq!(f("out/forecast.CSV"), Some(Format::Csv));
        assert_eq!(f("graph.gv"), Some(Format::Dot));
        assert_eq!(f("notes"), None);
        assert_eq!(f("notes.docx"), Some(Format::Docx));
        assert_eq!(f("notes.doc"), None);
        for format in [Format::Table, Format::Json, Format::Md, Format::Mermaid, Format::Docx] {
            assert_eq!(f(&format!("x.{}", format.extension())), Some(format));
        }
    }

    #[test]
    fn an_extension_routemap_does_not_write_is_refused() {
        let refused = |name: &str, format: Option<Format>| {
            let args = OutputArgs { output: Some(name.into()), format, ..OutputArgs::default() };
            let chosen =
                args.choose("risk-report", &[Format::Md, Format::Html], ColorChoice::Never);
            chosen.err().map(|e| e.to_string())
        };
        let pdf = refused("paper.pdf", None).unwrap_or_default();
        assert!(pdf.contains("risk-report cannot write pdf files"), "{pdf}");
        assert!(pdf.contains(".md, .html; for a PDF, write .html and print it"), "{pdf}");
        assert!(refused("paper.pdf", Some(Format::Html)).is_some());
        assert!(refused("paper.xlsx", None).is_some());
        assert!(refused("paper.log", None).is_some());
        assert!(refused("paper.log", Some(Format::Md)).is_none());
        assert!(refused("paper", None).is_none());
        assert!(refused("paper.HTML", None).is_none());
    }

    #[test]
    fn a_format_not_offered_is_refused() {
        let args = OutputArgs { format: Some(Format::Svg), ..OutputArgs::default() };
        let e = args.choose("forecast", &[Format::Table, Format::Json], ColorChoice::Never);
        let e = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("forecast cannot write svg"), "{e}");
        assert!(e.contains("table, json"), "{e}");
    }
}
