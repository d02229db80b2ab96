//! Which characters ids and texts may hold (see docs/model.md, "Ids and text"). An id is a slug
//! of ASCII letters, digits, `.`, `-` and `_`, so that two ids that look the same are the same;
//! a text may hold any character but those that are not text at all: control characters other
//! than tab and line breaks, and Unicode's non-characters.

/// The characters an id may hold beside ASCII letters and digits (`10.2`, `ieg-2005-06`).
const ID_PUNCTUATION: [char; 3] = ['.', '-', '_'];

/// Whether `c` may stand in an id.
fn id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || ID_PUNCTUATION.contains(&c)
}

/// The first character of `id` outside the id alphabet, with its 0-based character index: an id
/// is ASCII letters, digits, `.`, `-` and `_`, and starts with a letter or a digit.
pub fn bad_id_char(id: &str) -> Option<(usize, char)> {
    id.chars()
        .enumerate()
        .find(|&(i, c)| if i == 0 { !c.is_ascii_alphanumeric() } else { !id_char(c) })
}

/// `id` with every character outside the id alphabet taken out, and any leading punctuation, if
/// anything is left: what the user probably meant.
pub fn id_without_bad_chars(id: &str) -> Option<String> {
    let kept: String = id.chars().filter(|c| id_char(*c)).collect();
    let kept = kept.trim_start_matches(ID_PUNCTUATION);
    (!kept.is_empty()).then(|| kept.to_string())
}

/// Whether an action's ref may hold `c`: refs are printed as the routemap prints them (`42 &
/// 47`), so they may hold spaces and ASCII punctuation, but only ASCII letters and digits, which
/// make the action's id.
pub fn ref_char(c: char) -> bool {
    c == ' ' || c.is_ascii_graphic()
}

/// Whether `c` is no text at all: a control character other than tab, line feed and carriage
/// return (C0, DEL, C1), or a Unicode non-character (U+FDD0..U+FDEF, and the last two code
/// points of every plane, U+FFFE and U+FFFF among them).
pub fn not_text(c: char) -> bool {
    let n = u32::from(c);
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
}

/// The first character of `text` that is no text, with its 0-based character index.
pub fn bad_text_char(text: &str) -> Option<(usize, char)> {
    text.chars().enumerate().find(|&(_, c)| not_text(c))
}

/// A character named for a message: `U+200B (zero width space)`, `U+002D (`-`)`, or `U+0001`
/// where it has no name here.
pub fn describe(c: char) -> String {
    let name = match c {
        '\u{0}' => Some("null"),
        '\u{7}' => Some("bell"),
        '\u{8}' => Some("backspace"),
        '\u{b}' => Some("vertical tab"),
        '\u{c}' => Some("form feed"),
        '\u{1b}' => Some("escape"),
        '\u{7f}' => Some("delete"),
        '\u{85}' => Some("next line"),
        '\u{a0}' => Some("no-break space"),
        '\u{ad}' => Some("soft hyphen"),
        '\u{61c}' => Some("Arabic letter mark"),
        '\u{200b}' => Some("zero width space"),
        '\u{200c}' => Some("zero width non-joiner"),
        '\u{200d}' => Some("zero width joiner"),
        '\u{200e}' => Some("left-to-right mark"),
        '\u{200f}' => Some("right-to-left mark"),
        '\u{202a}' => Some("left-to-right embedding"),
        '\u{202b}' => Some("right-to-left embedding"),
        '\u{202c}' => Some("pop directional formatting"),
        '\u{202d}' => Some("left-to-right override"),
        '\u{202e}' => Some("right-to-left override"),
        '\u{2060}' => Some("word joiner"),
        '\u{2066}' => Some("left-to-right isolate"),
        '\u{2067}' => Some("right-to-left isolate"),
        '\u{2068}' => Some("first strong isolate"),
        '\u{2069}' => Some("pop directional isolate"),
        '\u{feff}' => Some("zero width no-break space"),
        '\u{fffe}' | '\u{ffff}' => Some("not a character"),
        _ => None,
    };
    match name {
        Some(name) => format!("U+{:04X} ({name})", u32::from(c)),
        None if c.is_ascii_graphic() || c == ' ' => format!("U+{:04X} (`{c}`)", u32::from(c)),
        None => format!("U+{:04X}", u32::from(c)),
    }
}

/// `text` as a message quotes it: every character an id may not hold and that is not plainly
/// visible (anything outside printable ASCII and ordinary letters) written as `<U+200B>`, so
/// that what is invisible in the file is visible in the message.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == ' ' || c.is_ascii_graphic() || (c.is_alphanumeric() && !c.is_ascii()) {
            out.push(c);
        } else {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_ascii_slugs() {
        for id in ["10.2", "document-management", "ieg-2005-06", "P1", "a_b", "42-47", "7"] {
            assert_eq!(bad_id_char(id), None, "{id}");
        }
        assert_eq!(bad_id_char("ab\u{200b}c"), Some((2, '\u{200b}')));
        assert_eq!(bad_id_char("-ab"), Some((0, '-')));
        assert_eq!(bad_id_char(".ab"), Some((0, '.')));
        assert_eq!(bad_id_char("caf\u{e9}"), Some((3, '\u{e9}')));
        assert_eq!(bad_id_char("a b"), Some((1, ' ')));
        assert_eq!(id_without_bad_chars("ab\u{202e}c"), Some("abc".into()));
        assert_eq!(id_without_bad_chars("\u{200b}-x"), Some("x".into()));
        assert_eq!(id_without_bad_chars("\u{200b}"), None);
    }

    #[test]
    fn text_is_anything_but_controls_and_non_characters() {
        assert_eq!(bad_text_char("On target\tnow\r\nthen – £5 é 😀"), None);
        for c in ['\u{0}', '\u{1b}', '\u{7f}', '\u{80}', '\u{9f}', '\u{fffe}', '\u{ffff}'] {
            assert!(not_text(c), "{c:?}");
        }
        for c in ['\u{fdd0}', '\u{fdef}', '\u{1fffe}', '\u{10ffff}'] {
            assert!(not_text(c), "{c:?}");
        }
        for c in ['\u{a0}', '\u{fdcf}', '\u{fdf0}', '\u{fffd}', '\u{200b}'] {
            assert!(!not_text(c), "{c:?}");
        }
        assert_eq!(bad_text_char("ab\u{1}"), Some((2, '\u{1}')));
    }

    #[test]
    fn characters_are_named_by_code() {
        assert_eq!(describe('\u{200b}'), "U+200B (zero width space)");
        assert_eq!(describe('\u{1}'), "U+0001");
        assert_eq!(describe('\u{e9}'), "U+00E9");
        assert_eq!(describe(' '), "U+0020 (` `)");
        assert_eq!(escaped("ab\u{202e}c\u{1b}[31m é"), "ab<U+202E>c<U+001B>[31m é");
    }
}
