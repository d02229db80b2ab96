//! Reading input files (models, catalogues, scenario files, rule files) with bounds: only
//! regular files, never more than a size limit, and text that is UTF-8, each refusal with a
//! message that says why and how to change it. A named pipe or a device is refused before it is
//! opened, so that routemap never waits on one or reads without end.

use std::io::Read;
use std::path::Path;

use crate::error::{Diagnostic, Location, io_reason};

/// The environment variable that raises (or lowers) the size limit of an input file, in bytes.
pub const MAX_BYTES_VAR: &str = "ROUTEMAP_MAX_INPUT_BYTES";

/// The default size limit of an input file: 1 GiB, several times a million-node routemap.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// The size limit in force: [`MAX_BYTES_VAR`] when it is set, else [`DEFAULT_MAX_BYTES`].
pub fn max_bytes() -> Result<u64, Diagnostic> {
    match std::env::var(MAX_BYTES_VAR) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_MAX_BYTES),
        Ok(text) => text.trim().parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            Diagnostic::new(format!("{MAX_BYTES_VAR} is `{text}`, which is not a size"))
                .help("expected a whole number of bytes greater than 0, such as 2000000000")
        }),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Diagnostic::new(format!("{MAX_BYTES_VAR} is not a size"))
                .help("expected a whole number of bytes greater than 0, such as 2000000000"))
        }
    }
}

/// Read a whole input file as text. `name` is the path as the user wrote it, for messages.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let name = path.display().to_string();
    let fail = |reason: String| Diagnostic::new(format!("cannot read {name}: {reason}"));
    let limit = max_bytes()?;
    // Look before opening: opening a named pipe waits for a writer.
    let meta = std::fs::metadata(path).map_err(|e| fail(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(fail("it is a directory".into()));
    }
    if !meta.is_file() {
        return Err(fail("it is not a regular file (a named pipe, a device or a socket)".into())
            .help("routemap reads its inputs from regular files only"));
    }
    let too_big = |size: String| {
        fail(format!("it is {size} bytes, over the limit of {limit} bytes"))
            .help(format!("set {MAX_BYTES_VAR} to a larger number of bytes to read it"))
    };
    if meta.len() > limit {
        return Err(too_big(meta.len().to_string()));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(io_reason(&e)))?;
    // The file may have been swapped or grown since it was looked at: check again, and never
    // read past the limit.
    let opened = file.metadata().map_err(|e| fail(io_reason(&e)))?;
    if !opened.is_file() {
        return Err(fail("it is not a regular file (a named pipe, a device or a socket)".into()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(opened.len().min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| fail(io_reason(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(format!("more than {limit}")));
    }
    utf8(&name, bytes)
}

/// The text of `bytes`, or an error at the line and column of the first byte that is not UTF-8.
pub fn utf8(name: &str, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        let line_start = bytes[..at].iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        // Every byte before `at` is valid UTF-8.
        let before = String::from_utf8_lossy(&bytes[line_start..at]).into_owned();
        let column = before.chars().count() + 1;
        let rest = &bytes[at..];
        let end = rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
        let source_line = format!("{before}{}", String::from_utf8_lossy(&rest[..end]));
        let location = Location::at_offset(name, line, column, &source_line, before.len(), 1);
        Diagnostic::new(format!("{name} is not UTF-8 text: byte 0x{:02x} is not UTF-8", bytes[at]))
            .at(Some(location))
            .help("save the file as UTF-8")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let d = utf8("m.yaml", b"a: 1\nbb: \xe9t\xe9\n".to_vec()).expect_err("not UTF-8");
        let at = d.location.expect("a location");
        assert_eq!((at.line, at.column), (2, 5));
        assert!(d.message.contains("0xe9"), "{}", d.message);
        assert_eq!(utf8("m.yaml", b"caf\xc3\xa9\n".to_vec()).ok().as_deref(), Some("caf\u{e9}\n"));
    }
}
