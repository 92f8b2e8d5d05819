//! Reports that wait their turn: held in memory up to a budget, then
//! written to an anonymous temporary file and read back in the order they
//! went in. `check` streams its report in input order, and the files after
//! the first one that writes wait for the whole repository's index; with a
//! spool, what they hold in memory no longer grows with the repository.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// How many bytes of waiting reports `check` holds in memory.
pub(super) const BUDGET: usize = 2 << 20;

/// A waiting report: in memory, or the next `len` bytes of the spool file.
#[derive(Debug)]
pub(super) enum Text {
    Held(String),
    Spooled(usize),
}

/// Texts kept in order: [`Spool::keep`] them all, then [`Spool::take`]
/// them back in the same order.
pub(super) struct Spool {
    budget: usize,
    held: usize,
    /// Made for the first text over the budget.
    writer: Option<BufWriter<File>>,
    reader: Option<BufReader<File>>,
    /// No temporary file could be made or written: the rest is held.
    memory_only: bool,
}

impl Spool {
    pub(super) fn new(budget: usize) -> Spool {
        Spool { budget, held: 0, writer: None, reader: None, memory_only: false }
    }

    /// Holds `text`, or writes it to the spool once the budget is spent
    /// (the temporary file is made in `TMPDIR` and deleted by the system
    /// when closed, whatever happens).
    pub(super) fn keep(&mut self, text: String) -> Text {
        let over = self.held + text.len() > self.budget;
        if over && !self.memory_only && self.reader.is_none() {
            if self.writer.is_none() {
                match tempfile::tempfile() {
                    Ok(f) => self.writer = Some(BufWriter::with_capacity(64 << 10, f)),
                    Err(_) => self.memory_only = true,
                }
            }
            if let Some(w) = &mut self.writer {
                // A failed write leaves bytes past every spooled text: no
                // read reaches them.
                if w.write_all(text.as_bytes()).is_ok() {
                    return Text::Spooled(text.len());
                }
                self.memory_only = true;
            }
        }
        self.held += text.len();
        Text::Held(text)
    }

    /// A text back, in the order they were kept.
    pub(super) fn take(&mut self, text: Text) -> io::Result<String> {
        let len = match text {
            Text::Held(s) => return Ok(s),
            Text::Spooled(len) => len,
        };
        if self.reader.is_none() {
            let writer = self.writer.take().ok_or_else(|| io::Error::other("the spool was never written"))?;
            let mut file = writer.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.rewind()?;
            self.reader = Some(BufReader::with_capacity(64 << 10, file));
        }
        let reader = self.reader.as_mut().ok_or_else(|| io::Error::other("no spool to read"))?;
        let mut bytes = vec![0; len];
        reader.read_exact(&mut bytes)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_in_order_from_memory_and_from_disk() {
        let mut spool = Spool::new(10);
        let texts = ["first", "中文 sql\n", "", "a much longer text than the budget", "x", "\r\nlast"];
        let kept: Vec<Text> = texts.iter().map(|t| spool.keep(t.to_string())).collect();
        assert!(matches!(kept[0], Text::Held(_)), "within the budget");
        assert!(matches!(kept[1], Text::Spooled(11)), "over the budget");
        assert!(matches!(kept[4], Text::Held(_)), "small enough for what is left");
        assert!(matches!(kept[5], Text::Spooled(6)));
        let back: Vec<String> = kept.into_iter().map(|t| spool.take(t).unwrap()).collect();
        assert_eq!(back, texts);
    }

    #[test]
    fn a_large_budget_holds_everything() {
        let mut spool = Spool::new(usize::MAX / 2);
        let kept = spool.keep("all of it".repeat(1000));
        assert!(matches!(kept, Text::Held(_)));
        assert_eq!(spool.take(kept).unwrap().len(), 9000);
    }
}
