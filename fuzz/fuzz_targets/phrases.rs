//! Target phrases, statuses, spans and slips: any text parses or is refused with a message,
//! never a panic; a parsed span moves any date either way without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routemap::model::{Span, Status, Target};
use routemap::scenario::Slip;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = Target::parse(text);
    let _ = Status::parse(text);
    let _ = Slip::parse(text);
    if let Ok(span) = Span::parse(text) {
        for date in [chrono::NaiveDate::MIN, chrono::NaiveDate::MAX, chrono::NaiveDate::default()] {
            let _ = span.after(date);
            let _ = span.before(date);
            let _ = span.checked_after(date);
        }
    }
});
