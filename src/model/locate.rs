//! Where each value of a YAML file sits, by path (`actions[3].tasks[1].original`), so that
//! errors found after deserialising still point at the line and column.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
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
    index: OnceLock<Index>,
    /// The byte offset of every line's start, built once on first use, so that each error finds
    /// its line without scanning the file.
    line_starts: OnceLock<Vec<usize>>,
}

impl Located {
    /// Keep a file's text for locating errors in it.
    pub fn new(name: &str, text: impl Into<String>) -> Self {
        Located::within(name, text, "")
    }

    /// Keep a file's text for locating errors in the part of it at `prefix` (`cases[2].model.`),
    /// whose paths are written relative to that part.
    pub fn within(name: &str, text: impl Into<String>, prefix: &str) -> Self {
        Located {
            name: name.to_string(),
            text: text.into(),
            prefix: prefix.to_string(),
            index: OnceLock::new(),
            line_starts: OnceLock::new(),
        }
    }

    /// The position of every node, indexed on first use. The index's parser may stop short of
    /// the end where it is stricter than serde's (it then holds the nodes before that point);
    /// the text it reads has the few constructs it rejects and serde accepts replaced by text of
    /// the same length, so that positions stay true.
    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut indexer = Indexer::default();
            let text = indexable(&self.text);
            if Parser::new_from_str(&text).load(&mut indexer, false).is_err() {
                // A quoted scalar continued on a line indented less than its key: try again
                // with such lines indented.
                let continued = continued_quotes(&text);
                if !continued.is_empty() {
                    let mut again = Indexer::default();
                    let text = reindented(&text, &continued);
                    if Parser::new_from_str(&text).load(&mut again, false).is_ok() {
                        return again.index;
                    }
                }
            }
            indexer.index
        })
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    fn positions(&self) -> &HashMap<String, (usize, usize, usize)> {
        &self.index().positions
    }

    /// Values YAML reads as something other than text where routemap needs text: a null (`~`,
    /// `null`, nothing) in a field that holds text, and any tag (`!!binary`, `!!str`), which
    /// routemap files never need. Each is a message and its location.
    pub fn not_text(&self) -> Vec<(String, &'static str, Location)> {
        // Only a file that can hold one pays for the index.
        let t = &self.text;
        let maybe = t.contains('!')
            || t.contains('~')
            || t.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"null"))
            || t.lines().any(empty_text_key);
        if !maybe {
            return Vec::new();
        }
        let index = self.index();
        let mut out = Vec::new();
        for (path, tag) in &index.tags {
            let message = format!(
                "{}: YAML tag `{tag}`: routemap reads plain values, not tagged ones",
                shown(path)
            );
            let help = "remove the tag and write the value as plain text";
            out.extend(self.at(path).map(|at| (message, help, at)));
        }
        for path in &index.nulls {
            let pattern = pattern(path);
            if TEXT_FIELDS.contains(&pattern.as_str()) {
                let message = format!("{}: null where text is required", shown(path));
                let help = "write the text itself; quote it (`\"null\"`) if that is the text meant";
                out.extend(self.at(path).map(|at| (message, help, at)));
            }
        }
        out.sort_by_key(|(_, _, at)| (at.line, at.column));
        out
    }

    /// Every key written a second (or later) time in one map, in file order. serde refuses the
    /// first it meets, at its map; this finds each, at the key itself.
    pub fn duplicates(&self) -> Vec<Duplicate> {
        let mut out: Vec<Duplicate> = self
            .index()
            .duplicates
            .iter()
            .map(|(map, key, (line, column, width), first_line)| Duplicate {
                map: map.clone(),
                key: key.clone(),
                at: self.location(*line, *column, *width),
                first_line: *first_line,
            })
            .collect();
        out.sort_by_key(|d| (d.at.line, d.at.column));
        out
    }

    /// The location of the character at byte `offset` of the file (as libyaml reports a reader
    /// error), one character wide.
    pub fn at_byte(&self, offset: usize) -> Location {
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        let offset = offset.min(self.text.len());
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let start = starts[line - 1];
        let column = self.text.get(start..offset).map_or(1, |before| before.chars().count() + 1);
        self.location(line, column, 1)
    }

    /// The location of the node at `path`, or of its nearest located parent, or else the start
    /// of the file: an error always has a place.
    pub fn at(&self, path: &str) -> Option<Location> {
        let positions = self.positions();
        let full = format!("{}{path}", self.prefix);
        let mut p = full.as_str();
        loop {
            if let Some(&(line, column, width)) = positions.get(p) {
                return Some(self.location(line, column, width));
            }
            match p.rfind(['.', '[']) {
                Some(cut) => p = &p[..cut],
                None => break,
            }
        }
        let (line, column, width) = positions.get("").copied().unwrap_or((1, 1, 1));
        Some(self.location(line, column, width))
    }

    /// The locations of the nodes at `paths`, as [`Located::at`] finds each, in one go: a JSON
    /// file (which machine-written roll-ups and generated models are) is read once for just
    /// these paths, with no index of every node; any other file uses the index.
    pub fn at_all(&self, paths: &[&str]) -> Vec<Location> {
        if paths.is_empty() {
            return Vec::new();
        }
        let full: Vec<String> = paths.iter().map(|p| format!("{}{p}", self.prefix)).collect();
        let found = if self.text.trim_start().starts_with('{') && self.index.get().is_none() {
            // Each path and every parent it may fall back to.
            let mut wanted: HashSet<&str> = HashSet::from([""]);
            for p in &full {
                let mut p = p.as_str();
                while wanted.insert(p) {
                    match p.rfind(['.', '[']) {
                        Some(cut) => p = &p[..cut],
                        None => break,
                    }
                }
            }
            json_positions(&self.text, &wanted)
        } else {
            None
        };
        let Some(found) = found else {
            return paths.iter().filter_map(|p| self.at(p)).collect();
        };
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        let place = |p: &JsonPlace| {
            let start = starts[p.line - 1];
            let line = self.line(p.line);
            Location::at_offset(&self.name, p.line, p.column, line, p.offset - start, p.width)
        };
        full.iter()
            .map(|p| {
                let mut p = p.as_str();
                loop {
                    if let Some(at) = found.get(p) {
                        return place(at);
                    }
                    match p.rfind(['.', '[']) {
                        Some(cut) => p = &p[..cut],
                        None => break,
                    }
                }
                found.get("").map_or_else(|| self.location(1, 1, 1), place)
            })
            .collect()
    }

    /// The location of the key that introduces the value at `path` (for an unknown field), or of
    /// the value or its parent where the key is not indexed.
    pub fn key_at(&self, path: &str) -> Option<Location> {
        match self.positions().get(&format!("{}{path}{KEY}", self.prefix)) {
            Some(&(line, column, width)) => Some(self.location(line, column, width)),
            None => self.at(path),
        }
    }

    /// A location from a line and column (as serde_yaml reports them).
    pub fn location(&self, line: usize, column: usize, width: usize) -> Location {
        Location::new(&self.name, line, column, self.line(line), width)
    }

    /// The text of 1-based line `n` (without its line break), or "" past the end.
    pub fn line(&self, n: usize) -> &str {
        let starts = self.line_starts.get_or_init(|| line_starts(&self.text));
        let Some(&start) = n.checked_sub(1).and_then(|i| starts.get(i)) else { return "" };
        let end = starts.get(n).map_or(self.text.len(), |next| next - 1);
        self.text[start..end].trim_end_matches('\r')
    }

    /// The line a path starts on (for "first defined at" notes).
    pub fn line_of(&self, path: &str) -> Option<usize> {
        self.at(path).map(|l| l.line)
    }
}

/// Marks a key's own position in the index, beside its value's.
const KEY: &str = "\u{0}key";

/// What the position index holds.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Path -> line, column and width of every node.
    positions: HashMap<String, (usize, usize, usize)>,
    /// The paths of plain scalars YAML reads as null.
    nulls: Vec<String>,
    /// The paths of tagged nodes, with their tags.
    tags: Vec<(String, String)>,
    /// Keys given twice in one map: the map's path, the key, where this one is written (line,
    /// column, width) and the line of the first.
    duplicates: Vec<KeyTwice>,
}

/// A key given twice in one map, as the index holds it: the map's path, the key, where this one
/// is written (line, column, width) and the line of the first.
type KeyTwice = (String, String, (usize, usize, usize), usize);

/// A key given a second (or later) time in one map.
#[derive(Debug, Clone)]
pub struct Duplicate {
    /// The path of the map (`document`; empty for the top level).
    pub map: String,
    /// The key.
    pub key: String,
    /// Where this key is written.
    pub at: Location,
    /// The line of the key's first appearance in the map.
    pub first_line: usize,
}

/// The fields (as paths with indices taken out) that hold text a null must not stand for: a
/// null there would be read as the text `null` or `~`, or as nothing. Fields that may be absent
/// (an owner, a comment) take a null as absent.
const TEXT_FIELDS: &[&str] = &[
    "document.council",
    "document.title",
    "document.version",
    "catalogue",
    "outcomes[].code",
    "outcomes[].title",
    "outcomes[].area",
    "actions[].ref",
    "actions[].section",
    "actions[].requirement",
    "actions[].tasks[].id",
    "actions[].tasks[].text",
    "projects[].id",
    "projects[].title",
    "funding[].id",
    "funding[].name",
    "funding[].financial_year",
    "risks[].ref",
    "risks[].title",
    "risks[].description",
    "cmt_risks[].risk",
    "bvpi157.target",
    "bvpi157.interactions[].interaction",
    "scenarios[].name",
];

/// Whether a line is a text field's key with nothing after it (`  council:`), which YAML reads
/// as null: a cheap look, so that only a file that may hold one pays for the index.
fn empty_text_key(line: &str) -> bool {
    let line = line.trim_start();
    let line = line.strip_prefix("- ").map_or(line, str::trim_start);
    let Some((key, rest)) = line.split_once(':') else { return false };
    let rest = rest.trim();
    (rest.is_empty() || rest.starts_with('#'))
        && TEXT_FIELDS.iter().any(|f| f.rsplit(['.', ']']).next() == Some(key))
}

/// A path with its indices taken out: `actions[3].tasks[0].id` -> `actions[].tasks[].id`.
fn pattern(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push('[');
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// A path as a message shows it: `.` for the whole file.
fn shown(path: &str) -> &str {
    if path.is_empty() { "." } else { path }
}

/// Where a JSON node sits: as the YAML index places it (line, column and width), and the byte
/// offset of its first character.
#[derive(Debug, Clone, Copy)]
struct JsonPlace {
    line: usize,
    column: usize,
    width: usize,
    offset: usize,
}

/// The places of the `wanted` paths of a JSON text, found in one pass that builds no path it
/// does not look up: each as the YAML index would place it (a value at its first character,
/// as wide as its first line, quotes included; a non-empty map at its first key; a key's own
/// place under its path and [`KEY`]). `None` when the text is not strictly JSON, which the
/// YAML index then reads.
fn json_positions<'w>(
    text: &str,
    wanted: &HashSet<&'w str>,
) -> Option<HashMap<&'w str, JsonPlace>> {
    let mut scan = JsonScan {
        bytes: text.as_bytes(),
        at: 0,
        line: 1,
        column: 0,
        path: String::new(),
        wanted,
        found: HashMap::with_capacity(wanted.len()),
    };
    scan.space();
    scan.value(0)?;
    scan.space();
    (scan.at == scan.bytes.len()).then_some(scan.found)
}

/// The JSON pass of [`json_positions`]: where it is (byte, 1-based line, 0-based column in
/// characters), the path of the node it is reading, and what it found.
struct JsonScan<'t, 'w> {
    bytes: &'t [u8],
    at: usize,
    line: usize,
    column: usize,
    path: String,
    wanted: &'t HashSet<&'w str>,
    found: HashMap<&'w str, JsonPlace>,
}

impl<'t, 'w> JsonScan<'t, 'w> {
    /// Move past one byte on the current line, counting a character at each one that starts one.
    fn step(&mut self) {
        if self.bytes[self.at] & 0xc0 != 0x80 {
            self.column += 1;
        }
        self.at += 1;
    }

    fn space(&mut self) {
        while let Some(&b) = self.bytes.get(self.at) {
            match b {
                b'\n' => {
                    self.at += 1;
                    self.line += 1;
                    self.column = 0;
                }
                b' ' | b'\t' | b'\r' => self.step(),
                _ => break,
            }
        }
    }

    fn here(&self, width: usize) -> JsonPlace {
        JsonPlace { line: self.line, column: self.column + 1, width, offset: self.at }
    }

    /// Record `place` for the current path (`suffix` added) if it is wanted; `replace` for a
    /// map's first key, which the YAML index lets take the map's place.
    fn record(&mut self, suffix: &str, place: JsonPlace, replace: bool) {
        let len = self.path.len();
        self.path.push_str(suffix);
        if let Some(&p) = self.wanted.get(self.path.as_str()) {
            if replace {
                self.found.insert(p, place);
            } else {
                self.found.entry(p).or_insert(place);
            }
        }
        self.path.truncate(len);
    }

    /// One value at the current path, nested `depth` deep.
    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > 512 {
            return None;
        }
        match *self.bytes.get(self.at)? {
            b'{' => {
                self.record("", self.here(1), false);
                self.step();
                self.space();
                if self.bytes.get(self.at) == Some(&b'}') {
                    self.step();
                    return Some(());
                }
                let mut first = true;
                loop {
                    let key_at = self.here(0);
                    let key = self.string()?;
                    let width = key.1;
                    let place = JsonPlace { width, ..key_at };
                    if first {
                        self.record("", place, true);
                        first = false;
                    }
                    let len = self.path.len();
                    if len > 0 {
                        self.path.push('.');
                    }
                    self.path.push_str(&key.0);
                    self.record(KEY, place, true);
                    self.space();
                    (self.bytes.get(self.at) == Some(&b':')).then_some(())?;
                    self.step();
                    self.space();
                    self.value(depth + 1)?;
                    self.path.truncate(len);
                    self.space();
                    match *self.bytes.get(self.at)? {
                        b',' => {
                            self.step();
                            self.space();
                        }
                        b'}' => {
                            self.step();
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.record("", self.here(1), false);
                self.step();
                self.space();
                if self.bytes.get(self.at) == Some(&b']') {
                    self.step();
                    return Some(());
                }
                let mut index = 0usize;
                loop {
                    let len = self.path.len();
                    self.path.push('[');
                    self.path.push_str(&index.to_string());
                    self.path.push(']');
                    self.value(depth + 1)?;
                    self.path.truncate(len);
                    index += 1;
                    self.space();
                    match *self.bytes.get(self.at)? {
                        b',' => {
                            self.step();
                            self.space();
                        }
                        b']' => {
                            self.step();
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            b'"' => {
                let at = self.here(0);
                let (_, _, first_line) = self.string()?;
                self.record("", JsonPlace { width: first_line + 2, ..at }, false);
                Some(())
            }
            _ => {
                let at = self.here(0);
                let start = self.at;
                while let Some(&b) = self.bytes.get(self.at) {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.step();
                }
                let token = std::str::from_utf8(&self.bytes[start..self.at]).ok()?;
                let json = matches!(token, "true" | "false" | "null")
                    || (!token.is_empty()
                        && serde_json::from_str::<serde_json::Number>(token).is_ok());
                json.then_some(())?;
                self.record("", JsonPlace { width: token.len(), ..at }, false);
                Some(())
            }
        }
    }

    /// A string at the current byte: its text as the YAML index reads it (an escaped surrogate
    /// read as one character), its length in characters, and the length of its first line.
    fn string(&mut self) -> Option<(std::borrow::Cow<'t, str>, usize, usize)> {
        let bytes: &'t [u8] = self.bytes;
        (self.bytes.get(self.at) == Some(&b'"')).then_some(())?;
        self.step();
        let start = self.at;
        let mut escaped = false;
        loop {
            match *self.bytes.get(self.at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    self.step();
                    self.bytes.get(self.at)?;
                    self.step();
                }
                b if b < 0x20 => return None,
                _ => self.step(),
            }
        }
        let raw = std::str::from_utf8(&bytes[start..self.at]).ok()?;
        self.step();
        let text = if escaped { std::borrow::Cow::Owned(unescape(raw)?) } else { raw.into() };
        let first_line = text.lines().next().unwrap_or("").chars().count();
        let chars = text.chars().count();
        Some((text, chars, first_line))
    }
}

/// A JSON string's escapes read as YAML's double-quoted style reads them, with each escaped
/// surrogate read as one character (as [`indexable`] makes it for the YAML index).
fn unescape(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hex: String = chars.by_ref().take(4).collect();
                let n = u32::from_str_radix(&hex, 16).ok().filter(|_| hex.len() == 4)?;
                char::from_u32(n).unwrap_or('X')
            }
            _ => return None,
        });
    }
    Some(out)
}

/// The byte offset of the start of every line.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect()
}

/// The text the position index reads: `text` with a carriage return that ends no line, and a
/// `\uD83D`-style escape of half a character (which JSON writers emit for emoji, in pairs), each
/// replaced by harmless text of the same length. serde accepts both; the index's parser does not.
fn indexable(text: &str) -> std::borrow::Cow<'_, str> {
    let has_cr = text
        .bytes()
        .enumerate()
        .any(|(i, b)| b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'));
    let has_surrogate = text.contains("\\u") || text.contains("\\U");
    if !has_cr && !has_surrogate {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            out[i] = b' ';
        }
        if bytes[i] == b'\\' && i + 5 < bytes.len() && matches!(bytes[i + 1], b'u' | b'U') {
            let hex = &bytes[i + 2..i + 6];
            let surrogate = matches!(hex[0], b'd' | b'D')
                && matches!(hex[1], b'8'..=b'9' | b'a'..=b'f' | b'A'..=b'F');
            if surrogate && hex.iter().all(u8::is_ascii_hexdigit) {
                out[i + 2..i + 6].copy_from_slice(b"0058");
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    // Only ASCII bytes were replaced, by ASCII bytes.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

/// The line and column of the first flow collection (`[` or `{`) nested deeper than `limit`, by
/// a scan of the text that costs one pass: YAML's scanner takes time quadratic in the depth of
/// such nesting, so it is refused before any parser sees it. Quoted text and comments are
/// skipped; a bracket in plain text counts, which only matters past `limit` of them.
pub fn too_deep(text: &str, limit: usize) -> Option<(usize, usize)> {
    scan(text, limit, &mut Vec::new())
}

/// How many values YAML's aliases may add to a file beyond one per byte of it: far more than
/// any routemap needs (they need none), far fewer than make deserialising slow.
pub const MAX_ALIASED_VALUES: usize = 100_000;

/// Where a file's aliases (`*name`) first make it more values than [`MAX_ALIASED_VALUES`] beyond
/// its size in bytes, counting each alias as every value of the node its anchor names, aliases
/// within that node counted out too: the line and column of that alias, and the limit. A
/// "billion laughs" file of a few hundred kilobytes expands to millions of values only when
/// deserialised; this count reads the file's events once, without expanding anything, and
/// stops at the alias that crosses the limit. A file with no alias is not parsed at all.
pub fn too_many_aliased(text: &str) -> Option<(usize, usize, usize)> {
    if !may_hold_alias(text) {
        return None;
    }
    let limit = text.len().saturating_add(MAX_ALIASED_VALUES);
    // Each open collection's anchor and the values in it so far; the root is the outermost.
    let mut open: Vec<(usize, usize)> = vec![(0, 0)];
    // The values in each anchored node, by anchor id.
    let mut sizes: HashMap<usize, usize> = HashMap::new();
    let mut total = 0usize;
    let mut parser = Parser::new_from_str(text);
    // A file the parser refuses is left to serde to explain: what was read before is counted.
    while let Ok((event, mark)) = parser.next_token() {
        let added = match event {
            Event::StreamEnd => break,
            Event::Scalar(_, _, anchor, _) => {
                if anchor > 0 {
                    sizes.insert(anchor, 1);
                }
                1
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, 1));
                total = total.saturating_add(1);
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some((anchor, values)) = open.pop() else { break };
                if anchor > 0 {
                    sizes.insert(anchor, values);
                }
                if let Some(parent) = open.last_mut() {
                    parent.1 = parent.1.saturating_add(values);
                } else {
                    open.push((0, values));
                }
                continue;
            }
            Event::Alias(anchor) => sizes.get(&anchor).copied().unwrap_or(1),
            _ => continue,
        };
        if let Some(parent) = open.last_mut() {
            parent.1 = parent.1.saturating_add(added);
        }
        total = total.saturating_add(added);
        if total > limit {
            return Some((mark.line(), mark.col() + 1, limit));
        }
    }
    None
}

/// Whether `text` may hold an alias: a `*` after a space, a line break or a flow indicator and
/// before a name. Text such as `a * b` passes too, which only costs a parse.
fn may_hold_alias(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'*'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b','))
            && bytes
                .get(i + 1)
                .is_some_and(|n| !matches!(n, b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}'))
    })
}

/// The 1-based lines that continue a quoted scalar begun on an earlier line, each with the
/// 0-based column of the quote that opened it.
fn continued_quotes(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    scan(text, usize::MAX, &mut out);
    out
}

/// `text` with every line that continues a quoted scalar indented past the quote that opened
/// it. YAML folds that indentation away, so the value is unchanged; serde's parser accepts a
/// continuation indented less than its key, the index's parser does not. Only the start of
/// such lines moves, and no node starts there.
fn reindented(text: &str, continued: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len() + continued.len() * 8);
    let mut next = continued.iter().peekable();
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if let Some(&&(n, column)) = next.peek()
            && n == i + 1
        {
            next.next();
            let leading = line.len() - line.trim_start_matches(' ').len();
            if leading <= column {
                out.extend(std::iter::repeat_n(' ', column + 1 - leading));
            }
        }
        out.push_str(line);
    }
    out
}

fn scan(text: &str, limit: usize, continued: &mut Vec<(usize, usize)>) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut quote_column = 0usize;
    let (mut line, mut column) = (1usize, 0usize);
    let mut quote: Option<char> = None;
    let mut comment = false;
    let mut previous = '\n';
    // The last character outside quotes that is not a space: a quote opens a quoted scalar only
    // where a scalar may start (`Council's` is plain text, `'a'` after `: ` is quoted).
    let mut significant = '\n';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        if c == '\n' {
            line += 1;
            column = 0;
            comment = false;
            previous = c;
            if quote.is_none() {
                significant = c;
            } else {
                continued.push((line, quote_column));
            }
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some('"') if c == '\\' => {
                // An escaped character, whatever it is.
                if chars.next_if(|n| *n != '\n').is_some() {
                    column += 1;
                }
            }
            Some(q) if c == q => {
                if q == '\'' && chars.peek() == Some(&'\'') {
                    chars.next();
                    column += 1;
                } else {
                    quote = None;
                }
            }
            Some(_) => {}
            None => match c {
                '"' | '\'' if matches!(significant, '\n' | ':' | '-' | '[' | '{' | ',' | '?') => {
                    quote = Some(c);
                    quote_column = column - 1;
                }
                '#' if previous.is_whitespace() => comment = true,
                '[' | '{' => {
                    depth += 1;
                    if depth > limit {
                        return Some((line, column));
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        if quote.is_none() && !c.is_whitespace() {
            significant = c;
        }
        previous = c;
    }
    None
}

enum Frame {
    /// `key_at`: where the key now awaiting its value starts, and its width.
    Map {
        path: String,
        key: Option<String>,
        first_key: bool,
        key_at: (usize, usize, usize),
        /// Each key read so far, with its line.
        keys: HashMap<String, usize>,
    },
    Seq {
        path: String,
        index: usize,
    },
}

#[derive(Default)]
struct Indexer {
    stack: Vec<Frame>,
    index: Index,
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
        self.index.positions.entry(path).or_insert((mark.line(), mark.col() + 1, width));
    }

    fn tagged(&mut self, path: &str, tag: Option<&Tag>) {
        if let Some(tag) = tag {
            let handle = if tag.handle == "tag:yaml.org,2002:" { "!!" } else { &tag.handle };
            self.index.tags.push((path.to_string(), format!("{handle}{}", tag.suffix)));
        }
    }
}

impl MarkedEventReceiver for Indexer {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(value, style, _, tag) => {
                let awaiting_key = matches!(self.stack.last(), Some(Frame::Map { key: None, .. }));
                if awaiting_key {
                    // A block mapping's own mark sits on its first key's colon: point at the key.
                    if let Some(Frame::Map { path, first_key: first @ true, .. }) =
                        self.stack.last_mut()
                    {
                        *first = false;
                        let width = value.chars().count();
                        self.index
                            .positions
                            .insert(path.clone(), (mark.line(), mark.col() + 1, width));
                    }
                    if let Some(Frame::Map { key, key_at, keys, path, .. }) = self.stack.last_mut()
                    {
                        *key_at = (mark.line(), mark.col() + 1, value.chars().count().max(1));
                        *key = Some(value.clone());
                        if let Some(&first_line) = keys.get(&value) {
                            self.index.duplicates.push((
                                path.clone(),
                                value.clone(),
                                *key_at,
                                first_line,
                            ));
                        } else {
                            keys.insert(value.clone(), mark.line());
                        }
                    }
                    // Where the key itself is written, for errors about the key.
                    let key_path = format!("{}{KEY}", self.child_path());
                    self.index
                        .positions
                        .insert(key_path, (mark.line(), mark.col() + 1, value.chars().count()));
                } else {
                    let quoted =
                        matches!(style, TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted);
                    let width = value.lines().next().unwrap_or("").chars().count()
                        + 2 * usize::from(quoted);
                    let path = self.child_path();
                    let null = style == TScalarStyle::Plain
                        && matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL");
                    if null && tag.is_none() {
                        self.index.nulls.push(path.clone());
                    }
                    self.tagged(&path, tag.as_ref());
                    // An empty value's mark is on the token after it: point at its key instead.
                    match self.stack.last() {
                        Some(Frame::Map { key_at: (line, column, width), .. })
                            if value.is_empty() && style == TScalarStyle::Plain =>
                        {
                            let at = (*line, *column, *width);
                            self.index.positions.entry(path).or_insert(at);
                        }
                        _ => self.record(path, mark, width),
                    }
                    self.advance();
                }
            }
            Event::MappingStart(_, ref tag) | Event::SequenceStart(_, ref tag) => {
                let path = self.child_path();
                self.tagged(&path, tag.as_ref());
                self.record(path.clone(), mark, 1);
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map {
                        path,
                        key: None,
                        first_key: true,
                        key_at: (mark.line(), mark.col() + 1, 1),
                        keys: HashMap::new(),
                    }
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
        // A path with no located part falls back to the start of the file.
        assert_eq!(at("zzz"), Some((1, 1, 1)));
    }

    #[test]
    fn lines_come_from_an_index_of_line_starts() {
        let l = Located::new("f.yaml", "one\r\ntwo\n\nfour");
        assert_eq!(
            [l.line(1), l.line(2), l.line(3), l.line(4), l.line(5)],
            ["one", "two", "", "four", ""]
        );
        assert_eq!(l.line(0), "");
    }

    #[test]
    fn positions_survive_what_only_serde_accepts() {
        // A surrogate pair, as JSON writers escape an emoji, before the node looked for.
        let text = "{\"a\": \"\\ud83d\\ude00\",\n \"b\": [1, 2]}\n";
        assert!(Parser::new_from_str(text).load(&mut Indexer::default(), false).is_err());
        let l = Located::new("f.json", text);
        assert_eq!(l.at("b[1]").map(|loc| (loc.line, loc.column)), Some((2, 11)));
        // A carriage return inside a quoted string.
        let text = "a: \"x\ry\"\nb: 2\n";
        assert!(Parser::new_from_str(text).load(&mut Indexer::default(), false).is_err());
        let l = Located::new("f.yaml", text);
        assert_eq!(l.at("b").map(|loc| (loc.line, loc.column)), Some((2, 4)));
    }

    #[test]
    fn positions_survive_an_under_indented_continuation() {
        let text = "a:\n  - k: \"one\n two\"\n    m: 3\n";
        assert!(Parser::new_from_str(text).load(&mut Indexer::default(), false).is_err());
        let l = Located::new("f.yaml", text);
        assert_eq!(l.at("a[0].m").map(|loc| (loc.line, loc.column)), Some((4, 8)));
    }

    #[test]
    fn deep_flow_nesting_is_found_in_one_pass() {
        assert_eq!(too_deep("a: [[[1]]]\n", 3), None);
        assert_eq!(too_deep("a: [[[[1]]]]\n", 3), Some((1, 7)));
        assert_eq!(too_deep("a: \"[[[[\" # [[[[\nb: '[[[['\n", 3), None);
        assert_eq!(too_deep("x: 1\nb: {a: {b: {c: {d: 1}}}}\n", 3), Some((2, 16)));
        // An apostrophe in plain text opens no quotation to hide brackets in.
        assert_eq!(too_deep("a: Council's [[[[1]]]]\n", 3), Some((1, 17)));
        assert_eq!(too_deep("a: [ 'x[[[[', \"y{{{{\" ]\n", 3), None);
        let deep = "[".repeat(200_000);
        assert_eq!(too_deep(&deep, 100), Some((1, 101)));
    }

    /// Every path the YAML index holds of `text`, located by `at_all` in one JSON pass, is where
    /// `at` (through the index) places it.
    fn json_pass_agrees_with_the_index(text: &str) -> usize {
        let indexed = Located::new("f.json", text);
        let mut paths: Vec<String> = indexed.positions().keys().cloned().collect();
        paths.sort();
        // Absent fields fall back to their parents in both.
        paths.extend(["zzz".to_string(), "actions[0].nothing".to_string()]);
        let fresh = Located::new("f.json", text);
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        let all = fresh.at_all(&refs);
        assert!(fresh.index.get().is_none(), "the JSON pass built the index");
        for (path, at) in paths.iter().zip(all) {
            assert_eq!(Some(at), indexed.at(path), "{path:?}");
        }
        paths.len()
    }

    #[test]
    fn a_json_file_is_located_in_one_pass_as_the_index_locates_it() {
        let yaml: serde_yaml::Value =
            serde_yaml::from_str(include_str!("../../fixtures/charnwood/routemap.yaml"))
                .expect("the embedded model is YAML");
        let compact = serde_json::to_string(&yaml).expect("JSON");
        let pretty = serde_json::to_string_pretty(&yaml).expect("JSON");
        let (a, b) =
            (json_pass_agrees_with_the_index(&compact), json_pass_agrees_with_the_index(&pretty));
        assert!(a > 4_000 && a == b, "{a} {b}");
        // Escapes, characters of many bytes, surrogate pairs, empty and nested containers,
        // numbers, literals, a key with an escape, and a value of several lines.
        let odd = "{\"a\": \"caf\u{e9} \\\" \\ud83d\\ude00 \u{2013}\", \"b\\n\": [[], {}, [1, -2.5e3, true, null]],\r\n\t\"c\": {\"x\": \"one\\ntwo\", \"y\": \"\"},\n  \"d\": [{\"e\": \"\\u0041\\/\"}, \"\\r\\n\"]}";
        assert!(json_pass_agrees_with_the_index(odd) > 10, "{odd}");
        // Text that is not strictly JSON is left to the index.
        let flow = Located::new("f.yaml", "{a: [1, 2]}");
        assert_eq!(
            flow.at_all(&["a[1]"]),
            vec![Located::new("f.yaml", "{a: [1, 2]}").at("a[1]").expect("placed")]
        );
    }
}
