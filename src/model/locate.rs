//! Where each value of a YAML file sits, by path (`actions[3].tasks[1].original`), so that
//! errors found after deserialising still point at the line and column.

use std::collections::HashMap;
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::error::Location;

/// A file's text and, built on first use, the position of every node in it: a valid file
/// never pays for the index.
#[derive(Debug, Clone, Default)]
pub struct Located {
    /// The file name as shown to the user.
    pub name: String,
    text: String,
    /// The path of this part within the file, for a part written inside another file (a model
    /// inside a rule test: `cases[2].model.`).
    prefix: String,
    positions: OnceLock<HashMap<String, (usize, usize, usize)>>,
}

impl Located {
    /// Keep a file's text for locating errors in it.
    pub fn new(name: &str, text: &str) -> Self {
        Located::within(name, text, "")
    }

    /// Keep a file's text for locating errors in the part of it at `prefix` (`cases[2].model.`),
    /// whose paths are written relative to that part.
    pub fn within(name: &str, text: &str, prefix: &str) -> Self {
        Located {
            name: name.to_string(),
            text: text.to_string(),
            prefix: prefix.to_string(),
            positions: OnceLock::new(),
        }
    }

    /// The position of every node, indexed on first use. A file that does not parse indexes
    /// nothing (serde reports the syntax error).
    fn positions(&self) -> &HashMap<String, (usize, usize, usize)> {
        self.positions.get_or_init(|| {
            let mut index = Indexer::default();
            let _ = Parser::new_from_str(&self.text).load(&mut index, false);
            index.positions
        })
    }

    /// The location of the node at `path`, or of its nearest located parent.
    pub fn at(&self, path: &str) -> Option<Location> {
        let positions = self.positions();
        let full = format!("{}{path}", self.prefix);
        let mut p = full.as_str();
        loop {
            if let Some(&(line, column, width)) = positions.get(p) {
                return Some(self.location(line, column, width));
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    /// The location of the key that introduces the value at `path` (for an unknown field), or of
    /// the value or its parent where the key is not indexed.
    pub fn key_at(&self, path: &str) -> Option<Location> {
        match self.positions().get(&format!("{path}{KEY}")) {
            Some(&(line, column, width)) => Some(self.location(line, column, width)),
            None => self.at(path),
        }
    }

    /// A location from a line and column (as serde_yaml reports them).
    pub fn location(&self, line: usize, column: usize, width: usize) -> Location {
        let source_line = self.text.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string();
        Location { file: self.name.clone(), line, column, source_line, width }
    }

    /// The line a path starts on (for "first defined at" notes).
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.at(path).map(|l| l.line)
    }
}

/// Marks a key's own position in the index, beside its value's.
const KEY: &str = "\u{0}key";

enum Frame {
    Map { path: String, key: Option<String>, first_key: bool },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Indexer {
    stack: Vec<Frame>,
    positions: HashMap<String, (usize, usize, usize)>,
}

impl Indexer {
    /// The path of the next value in the innermost container.
    fn child_path(&self) -> String {
        match self.stack.last() {
            None => String::new(),
            Some(Frame::Map { path, key, .. }) => {
                let key = key.as_deref().unwrap_or("");
                if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
            }
            Some(Frame::Seq { path, index }) => format!("{path}[{index}]"),
        }
    }

    /// A value has been read: move the innermost container on.
    fn advance(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    fn record(&mut self, path: String, mark: Marker, width: usize) {
        self.positions.entry(path).or_insert((mark.line(), mark.col() + 1, width));
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, style, _, _) => {
                let awaiting_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                if awaiting_key {
                    // A block mapping's own mark sits on its first key's colon: point at the key.
                    if let Some(Frame::Map { path, first_key: first @ true, .. }) =
                        self.stack.last_mut()
                    {
                        *first = false;
                        let width = value.chars().count();
                        self.positions.insert(path.clone(), (mark.line(), mark.col() + 1, width));
                    }
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some(value.clone());
                    }
                    // Where the key itself is written, for errors about the key.
                    let key_path = format!("{}{KEY}", self.child_path());
                    self.positions
                        .insert(key_path, (mark.line(), mark.col() + 1, value.chars().count()));
                } else {
                    let quoted =
                        matches!(style, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted);
                    let width = value.lines().next().unwrap_or("").chars().count()
                        + 2 * usize::from(quoted);
                    let path = self.child_path();
                    self.record(path, mark, width);
                    self.advance();
                }
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.child_path();
                self.record(path.clone(), mark, 1);
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map { path, key: None, first_key: true }
                } else {
                    Frame::Seq { path, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.advance();
            }
            Event::Alias(_) => self.advance(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_point_at_values() {
        let text = "a:\n  - x: 1\n    y: [p, 'q']\n  - x: 2\nb: hello\n";
        let l = Located::new("f.yaml", text);
        let at = |p: &str| l.at(p).map(|loc| (loc.line, loc.column, loc.width));
        assert_eq!(at("a[0].x"), Some((2, 8, 1)));
        assert_eq!(at("a[0].y[1]"), Some((3, 12, 3)));
        assert_eq!(at("a[1].x"), Some((4, 8, 1)));
        assert_eq!(at("b"), Some((5, 4, 5)));
        // An absent field falls back to its parent.
        assert_eq!(at("a[1].z"), Some((4, 5, 1)));
    }
}
