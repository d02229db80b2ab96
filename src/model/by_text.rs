//! A bounded memory of what texts read as, for the few texts most of a routemap's work shares
//! (a target phrase, a status, a kind, an empty comment).

use rustc_hash::FxHashMap;

/// What each short text met so far reads as (a fast hasher: a model crafted to collide slows
/// only its own run). Only texts up to [`ByText::LONGEST`] bytes, and the first
/// [`ByText::MOST`] distinct ones, are kept: a text longer than a phrase is seldom repeated,
/// and a model of all-distinct phrases keeps a few kilobytes, not one entry per piece of work.
pub(crate) struct ByText<V> {
    kept: FxHashMap<Box<str>, V>,
}

impl<V> Default for ByText<V> {
    fn default() -> Self {
        ByText { kept: FxHashMap::default() }
    }
}

impl<V: Clone> ByText<V> {
    /// The longest text kept, in bytes.
    const LONGEST: usize = 64;
    /// How many texts are kept.
    const MOST: usize = 4096;

    /// What `text` reads as: remembered, or `read(text)` (kept if there is room).
    pub(crate) fn get_or(&mut self, text: &str, read: impl FnOnce(&str) -> V) -> V {
        if let Some(v) = self.kept.get(text) {
            return v.clone();
        }
        let v = read(text);
        if text.len() <= Self::LONGEST && self.kept.len() < Self::MOST {
            self.kept.insert(text.into(), v.clone());
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_read_once_and_only_short_texts_are_kept() {
        let mut memo = ByText::default();
        let mut reads = 0;
        for _ in 0..3 {
            assert_eq!(
                memo.get_or("March 2005", |t| {
                    reads += 1;
                    t.len()
                }),
                10
            );
        }
        assert_eq!(reads, 1);
        let long = "x".repeat(65);
        for _ in 0..2 {
            memo.get_or(&long, |t| {
                reads += 1;
                t.len()
            });
        }
        assert_eq!(reads, 3);
        for i in 0..5000 {
            memo.get_or(&i.to_string(), |t| t.len());
        }
        assert_eq!(memo.kept.len(), 4096);
    }
}
