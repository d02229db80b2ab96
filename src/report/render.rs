//! The render boundary: every command's result is one value that implements [`Render`]: the
//! formats it writes (a constant list, its default first) and a render for each. The CLI's
//! `--format` values, the refusal of a format a command does not write and the choice of a
//! format from an `--output` file's extension all come from that list; where the text goes (the
//! terminal's width and colour) is decided once, by the CLI, and handed in as a [`Terminal`], so
//! no writer reads the environment.

use std::path::Path;

use clap::ValueEnum;

use super::standing::{ASSUMED_MARK, standing_style, status_words};
use crate::assess::Standing;
use crate::error::Error;

/// Every format any command writes; each command offers the ones that suit its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people, sized to the terminal, coloured on a terminal.
    Table,
    /// JSON for programs (see docs/json.md for the contract).
    Json,
    /// CSV, one row per item, for a spreadsheet (a file written with --output starts with a
    /// UTF-8 byte-order mark so that Excel reads it as UTF-8; --no-bom leaves it out).
    Csv,
    /// Markdown, to paste into a report.
    Md,
    /// One self-contained HTML page (no script, no external asset) that prints on A4.
    Html,
    /// An SVG picture.
    Svg,
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart.
    Mermaid,
    /// A Word document (with --output only) using Word's heading and table styles.
    Docx,
}

impl Format {
    /// The format's name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Md => "md",
            Format::Html => "html",
            Format::Svg => "svg",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Docx => "docx",
        }
    }

    /// The extension a file of this format is given.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Mermaid => "mmd",
            other => other.name(),
        }
    }

    /// The format a file name's extension asks for, if it names one.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "txt" | "text" => Format::Table,
            "json" => Format::Json,
            "csv" => Format::Csv,
            "md" | "markdown" => Format::Md,
            "html" | "htm" => Format::Html,
            "svg" => Format::Svg,
            "dot" | "gv" => Format::Dot,
            "mmd" | "mermaid" => Format::Mermaid,
            "docx" => Format::Docx,
            _ => return None,
        })
    }
}

/// Whether to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// Colour when standard output is a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always colour (even into a pipe).
    Always,
    /// Never colour.
    Never,
}
/// Whether to colour terminal output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// ANSI colours.
    On,
    /// Plain text.
    Off,
}

impl Colour {
    /// Paint a standing's name, the same colour for a standing in every command.
    pub fn standing(self, s: Standing, text: &str) -> String {
        let text = super::escape::terminal(text);
        if self == Colour::Off {
            return text.into_owned();
        }
        let style = standing_style(s);
        format!("{}{text}{}", style.render(), style.render_reset())
    }

    /// Paint a heading line (bold).
    pub fn strong(self, text: &str) -> String {
        let text = super::escape::terminal(text);
        if self == Colour::Off {
            return text.into_owned();
        }
        let style = anstyle::Style::new().bold();
        format!("{}{text}{}", style.render(), style.render_reset())
    }

    /// A table cell holding a standing, in words, coloured.
    pub fn status_cell(self, s: Standing) -> (String, String) {
        let words = status_words(s).to_string();
        (words.clone(), self.standing(s, &words))
    }

    /// A table cell holding a verdict: its standing in words, coloured, and [`ASSUMED_MARK`]
    /// after it when the verdict rests on a rule's assumption.
    pub fn verdict_cell(self, s: Standing, basis: crate::assess::DateBasis) -> (String, String) {
        let mark = if basis == crate::assess::DateBasis::Assumed { ASSUMED_MARK } else { "" };
        let words = format!("{}{mark}", status_words(s));
        (words.clone(), self.standing(s, &words))
    }
}

/// What a command writes to standard output: text, or JSON written as it is serialised, so
/// that a large model's JSON is never held whole in memory.
pub enum Stdout {
    /// Text, written as it is (through the terminal filter in `main`).
    Text(String),
    /// JSON, written by this when the run is done: it escapes whatever would act on a terminal
    /// itself ([`super::json`]), so it needs no filter.
    Json(JsonWriter),
}

/// JSON to write: a result's output struct and the call that serialises it to a writer.
pub type JsonWriter = Box<dyn FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>>;

impl From<String> for Stdout {
    fn from(text: String) -> Self {
        Stdout::Text(text)
    }
}

impl std::fmt::Debug for Stdout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stdout::Text(t) => f.debug_tuple("Text").field(t).finish(),
            Stdout::Json(_) => f.write_str("Json(..)"),
        }
    }
}

/// A rendered result: text, or the bytes of a binary format (a Word document).
#[derive(Debug, Clone)]
pub enum Rendered {
    /// Text for standard output or a file.
    Text(String),
    /// Bytes for a file only.
    Bytes(Vec<u8>),
}

/// Where a table is shown: its width and whether it is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// The width tables are fitted to, in columns.
    pub width: u16,
    /// Whether status words are coloured.
    pub colour: Colour,
}

impl Terminal {
    /// What a file or a pipe gets: 100 columns, no colour, the same on every machine.
    pub const PLAIN: Terminal = Terminal { width: 100, colour: Colour::Off };

    /// The terminal standard output is, decided once: into a file, [`Terminal::PLAIN`];
    /// otherwise the width is `COLUMNS` when set (at least 20), else the terminal's width when
    /// standard output is a terminal, else 100; colour as `--color` asks (`auto`: on a terminal,
    /// unless `NO_COLOR` is set or `TERM` is `dumb`).
    pub fn detect(choice: ColorChoice, to_file: bool) -> Terminal {
        use std::io::IsTerminal;
        if to_file {
            return Terminal::PLAIN;
        }
        let on_terminal = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<u16>().ok());
        let width = match columns {
            Some(n) if n >= 20 => n,
            _ if on_terminal => terminal_size::terminal_size().map_or(100, |(w, _)| w.0.max(20)),
            _ => 100,
        };
        let colour = match choice {
            ColorChoice::Always => Colour::On,
            ColorChoice::Never => Colour::Off,
            ColorChoice::Auto
                if on_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var_os("TERM").is_none_or(|t| t != "dumb") =>
            {
                Colour::On
            }
            ColorChoice::Auto => Colour::Off,
        };
        Terminal { width, colour }
    }
}

/// A command's result, in every format it writes.
pub trait Render {
    /// The formats written, the default first.
    const FORMATS: &'static [Format];

    /// The result in `format`, for `terminal`. A format not in [`Render::FORMATS`] is an
    /// error ([`not_written`]); [`crate::report::output::OutputArgs::choose`] never asks for one.
    fn render(&self, format: Format, terminal: &Terminal) -> Result<Rendered, Error>;

    /// The JSON as a writer to run once the command is done, for a result whose JSON can be
    /// large: it goes to standard output, or into the `--output` file, as it is serialised.
    /// `None` (the default): the JSON is rendered as text by [`Render::render`]. Both write the
    /// same bytes.
    fn json_writer(&self) -> Option<JsonWriter> {
        None
    }
}

/// The error for a format a result does not write.
pub fn not_written(format: Format) -> Error {
    Error::msg(format!(
        "internal error: {} was asked of a result that does not write it",
        format.name()
    ))
}

/// Text, as a rendered result.
pub fn text(s: String) -> Result<Rendered, Error> {
    Ok(Rendered::Text(s))
}
