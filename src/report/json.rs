//! JSON output: pretty-printed, keys in struct order, ending in a newline. Every character that
//! would act on a terminal (see [`super::escape::acts_on_terminal`]: the controls JSON leaves
//! raw, such as DEL and the C1 controls, the bidirectional controls and the non-characters) is
//! written as a `\u` escape, so that the JSON is the same whether it goes to a terminal, a pipe
//! or a file, needs no filtering on its way, and reads back to the same text.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

/// Serialise an output struct as pretty JSON with a trailing newline.
pub fn to_string<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    // Writing to memory fails only where serde does (a map with keys that are not text, which
    // no output struct has).
    if let Err(e) = to_writer(&mut out, value) {
        return format!("{{\"error\": {}}}\n", serde_json::Value::from(e.to_string()));
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Write an output struct as [`to_string`] would, to `out` as it is serialised: a large output
/// is never held whole in memory.
pub fn to_writer<T: Serialize, W: Write>(mut out: W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut out, Safe(PrettyFormatter::new()));
    // serde_json gives back the writer's own error (a closed pipe stays a closed pipe).
    value.serialize(&mut ser).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// serde_json's pretty formatter, escaping what acts on a terminal inside strings.
struct Safe<'a>(PrettyFormatter<'a>);

/// Forward the pretty formatter's layout methods.
macro_rules! layout {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(w $(, $arg)*)
        }
    )*};
}

impl Formatter for Safe<'_> {
    layout! {
        begin_array();
        end_array();
        begin_array_value(first: bool);
        end_array_value();
        begin_object();
        end_object();
        begin_object_key(first: bool);
        begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        // Printable ASCII, most of any output, holds nothing that acts on a terminal.
        if s.bytes().all(|b| (b' '..b'\x7f').contains(&b)) {
            return w.write_all(s.as_bytes());
        }
        let mut rest = s;
        while let Some((at, c)) =
            rest.char_indices().find(|&(_, c)| super::escape::acts_on_terminal(c))
        {
            w.write_all(&rest.as_bytes()[..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        w.write_all(rest.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_acts_on_a_terminal_is_escaped_and_reads_back() {
        let text = "a\u{7f}b\u{85}c\u{202e}d\u{1b}e\u{fffe}f\u{1fffe}g é\n";
        let out = to_string(&serde_json::json!({ "k\u{202e}": text }));
        assert_eq!(
            out,
            "{\n  \"k\\u202e\": \"a\\u007fb\\u0085c\\u202ed\\u001be\\ufffef\\ud83f\\udffeg \
             é\\n\"\n}\n"
        );
        assert!(!out.chars().any(crate::report::escape::acts_on_terminal), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).expect("JSON");
        assert_eq!(back["k\u{202e}"], text);
    }

    #[test]
    fn plain_text_is_written_as_serde_json_writes_it() {
        let value = serde_json::json!({ "a": [1, {"b": "c \"d\" \\ é"}], "e": [] , "f": {} });
        let plain = serde_json::to_string_pretty(&value).expect("JSON") + "\n";
        assert_eq!(to_string(&value), plain);
    }
}
