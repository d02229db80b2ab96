//! The render boundary: every command's result is one value that implements [`Render`]: the
//! formats it writes (a constant list, its default first) and a render for each. The CLI's
//! `--format` values, the refusal of a format a command does not write and the choice of a
//! format from an `--output` file's extension all come from that list; where the text goes (the
//! terminal's width and colour) is decided once, by the CLI, and handed in as a [`Terminal`], so
//! no writer reads the environment.

use super::output::{ColorChoice, Format, Rendered};
use super::text::Colour;
use crate::error::Error;

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
