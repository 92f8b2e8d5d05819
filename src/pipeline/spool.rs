//! Reports that wait their turn, as a queue of records: held in memory up
//! to a budget, then written to an anonymous temporary file, and read back
//! in the order they went in. `check` streams its report in input order,
//! and the files after the first one that writes wait for the whole
//! repository's index; with a spool, what they hold in memory no longer
//! grows with the repository.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// How many bytes of waiting reports `check` holds in memory.
pub(super) const BUDGET: usize = 1 << 20;

/// A record's header: the text's length and three counts, little-endian.
const HEADER: usize = 16;

/// Records pushed in order, then popped in the same order: the first ones
/// from memory, those over the budget from the file, and (should the file
/// fail) the rest from memory again.
pub(super) struct Spool {
    budget: usize,
    head: Held,
    /// Made for the first record over the budget.
    writer: Option<BufWriter<File>>,
    reader: Option<BufReader<File>>,
    /// Records in the file, not yet read.
    in_file: usize,
    tail: Held,
    /// No file could be made or written: nothing more goes to it.
    closed: bool,
}

/// Records in memory, as they were pushed: no copy is made of a text held.
#[derive(Default)]
struct Held {
    records: VecDeque<(String, [u32; 3])>,
    /// The bytes of every record ever held here (what the budget counts).
    bytes: usize,
}

impl Spool {
    pub(super) fn new(budget: usize) -> Spool {
        Spool {
            budget,
            head: Held::default(),
            writer: None,
            reader: None,
            in_file: 0,
            tail: Held::default(),
            closed: false,
        }
    }

    /// Queues a text and its counts. The temporary file is made in
    /// `TMPDIR` and deleted by the system when closed, whatever happens.
    pub(super) fn push(&mut self, mut text: String, counts: [u32; 3]) {
        let size = HEADER + text.len();
        let over = self.head.bytes + size > self.budget;
        if (over || self.in_file > 0) && self.spill(&text, counts) {
            return;
        }
        // Behind the file's records, and behind whatever already went to
        // the tail.
        let held = if self.in_file == 0 && self.tail.records.is_empty() { &mut self.head } else { &mut self.tail };
        held.bytes += size;
        // Held: no room to spare beyond what the budget counts (a report
        // written at once never pays for this copy).
        text.shrink_to_fit();
        held.records.push_back((text, counts));
    }

    /// Writes a record to the file; false when it cannot.
    fn spill(&mut self, text: &str, counts: [u32; 3]) -> bool {
        if self.closed || self.reader.is_some() {
            return false;
        }
        if self.writer.is_none() {
            self.writer = tempfile::tempfile().ok().map(|f| BufWriter::with_capacity(64 << 10, f));
        }
        let mut header = [0; HEADER];
        header[..4].copy_from_slice(&u32::try_from(text.len()).unwrap_or(u32::MAX).to_le_bytes());
        for (i, c) in counts.iter().enumerate() {
            header[4 + 4 * i..8 + 4 * i].copy_from_slice(&c.to_le_bytes());
        }
        // A failed write leaves bytes past every whole record: no read
        // reaches them.
        let written = self
            .writer
            .as_mut()
            .is_some_and(|w| w.write_all(&header).and_then(|_| w.write_all(text.as_bytes())).is_ok());
        self.in_file += usize::from(written);
        self.closed = !written;
        written
    }

    /// The next record, in the order they were pushed.
    pub(super) fn pop(&mut self) -> io::Result<(String, [u32; 3])> {
        if let Some(record) = self.head.records.pop_front() {
            return Ok(record);
        }
        if self.in_file == 0 {
            return self.tail.records.pop_front().ok_or_else(|| io::Error::other("no record left"));
        }
        if self.reader.is_none() {
            let writer = self.writer.take().ok_or_else(|| io::Error::other("no spool file"))?;
            let mut file = writer.into_inner().map_err(io::IntoInnerError::into_error)?;
            file.rewind()?;
            self.reader = Some(BufReader::with_capacity(64 << 10, file));
        }
        let reader = self.reader.as_mut().ok_or_else(|| io::Error::other("no spool file"))?;
        self.in_file -= 1;
        let mut header = [0; HEADER];
        reader.read_exact(&mut header)?;
        let len = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let mut bytes = vec![0; len];
        reader.read_exact(&mut bytes)?;
        let text = String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        Ok((text, counts_of(&header)))
    }
}

fn counts_of(header: &[u8]) -> [u32; 3] {
    let word = |i: usize| u32::from_le_bytes(header[i..i + 4].try_into().unwrap_or_default());
    [word(4), word(8), word(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_file_the_rest_is_held_in_order() {
        let mut spool = Spool::new(20);
        spool.push("held".into(), [1, 0, 0]);
        spool.push("spilled to the file".into(), [2, 0, 0]);
        spool.closed = true;
        spool.push("after the file failed".into(), [3, 0, 0]);
        assert_eq!(spool.tail.bytes, HEADER + 21);
        let order: Vec<u32> = (0..3).map(|_| spool.pop().unwrap().1[0]).collect();
        assert_eq!(order, vec![1, 2, 3]);
    }

    /// The budget counts a record's length: a record held in memory holds
    /// no more than that.
    #[test]
    fn a_held_record_has_no_room_to_spare() {
        let mut spool = Spool::new(1 << 10);
        let mut text = String::with_capacity(640);
        text.push_str("a report of one finding");
        spool.push(text, [1, 0, 0]);
        let (held, _) = &spool.head.records[0];
        assert_eq!((held.len(), held.capacity()), (23, 23));
    }

    #[test]
    fn pushed_after_pops_still_in_order() {
        let mut spool = Spool::new(20);
        spool.push("held".into(), [1, 0, 0]);
        spool.push("spilled to the file".into(), [2, 0, 0]);
        spool.push("spilled too".into(), [3, 0, 0]);
        assert_eq!(spool.pop().unwrap().1[0], 1);
        spool.push("after a pop".into(), [4, 0, 0]);
        let order: Vec<u32> = (0..3).map(|_| spool.pop().unwrap().1[0]).collect();
        assert_eq!(order, vec![2, 3, 4]);
        spool.push("after all".into(), [5, 0, 0]);
        assert_eq!(spool.pop().unwrap().1[0], 5);
        assert!(spool.pop().is_err());
    }

    #[test]
    fn records_come_back_in_order_from_memory_and_from_disk() {
        let texts = ["first", "中文 sql\n", "", "a much longer text than the budget", "x", "\r\nlast"];
        for budget in [0, 10, 40, usize::MAX / 2] {
            let mut spool = Spool::new(budget);
            for (i, t) in texts.iter().enumerate() {
                spool.push(t.to_string(), [i as u32, 7, u32::MAX]);
            }
            assert_eq!(spool.in_file > 0, budget < 100, "budget {budget}");
            assert!(spool.head.bytes <= budget, "budget {budget}: {} held", spool.head.bytes);
            for (i, t) in texts.iter().enumerate() {
                assert_eq!(spool.pop().unwrap(), (t.to_string(), [i as u32, 7, u32::MAX]), "budget {budget}");
            }
            assert!(spool.pop().is_err(), "nothing more");
        }
    }
}
