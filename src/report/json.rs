//! JSON output: pretty-printed, keys in struct order, ending in a newline.

use serde::Serialize;

/// Serialise an output struct as pretty JSON with a trailing newline.
pub fn to_string<T: Serialize>(value: &T) -> String {
    let mut s =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
