//! Where a file of the bundle goes as it is rendered: compared with the file
//! already in `DIR` a block at a time, as the writes come, or kept whole
//! (where `DIR` has no such file to read, and for callers that want the
//! text). A bundle that is up to date is never held in memory: rendered
//! into strings first, the 15.6 MB of a 20,000-file bundle were, grown a
//! doubling at a time into fresh pages, a page fault every 4 KiB.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;

/// Writes one file of the bundle to a sink (it may be asked to twice).
pub type Content<'a> = &'a (dyn Fn(&mut Sink) + Sync);

/// Bytes written to a compared file before they are compared.
const BLOCK: usize = 64 << 10;

/// A file of the bundle being written: what is written goes to `buf` (the
/// same few instructions a write as a `Vec`'s, for serde's many small
/// writes), which is compared with the file in `DIR` once it holds a block.
pub struct Sink {
    buf: Vec<u8>,
    /// The file compared with; `None`: what is written is kept.
    against: Option<Against>,
    /// The length of `buf` that is compared (and emptied): `BLOCK`, or
    /// never for a kept sink. Kept rather than asked of `against` at each
    /// write: one compare a write (asking both cost 1.3 M instructions at
    /// 2,000 files).
    limit: usize,
}

struct Against {
    file: File,
    /// What was compared differed (then the rest is not looked at).
    differs: bool,
}

/// What a file turned out to be, once written.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Byte for byte what the file in `DIR` holds.
    Same,
    /// Not what the file in `DIR` holds (and not kept).
    Differs,
    /// Nothing to compare with: the text written.
    Kept(String),
}

impl Sink {
    /// Compares what is written with the file at `path`, or keeps it when
    /// there is no file to read there.
    pub fn compared_with(path: &Path) -> Sink {
        match File::open(path) {
            Ok(file) => Sink { buf: Vec::new(), against: Some(Against { file, differs: false }), limit: BLOCK },
            Err(_) => Sink::kept(),
        }
    }

    fn kept() -> Sink {
        Sink { buf: Vec::new(), against: None, limit: usize::MAX }
    }

    /// What `content` writes, kept whole.
    pub fn text(content: Content<'_>) -> String {
        let mut sink = Sink::kept();
        content(&mut sink);
        text(sink.buf)
    }

    /// What the file turned out to be: the rest of what was written is
    /// compared, and the file in `DIR` must end there.
    pub fn finish(mut self) -> Outcome {
        let Some(mut against) = self.against.take() else { return Outcome::Kept(text(self.buf)) };
        if !against.differs && holds_next(&mut against.file, &self.buf) && at_end(&mut against.file) {
            Outcome::Same
        } else {
            Outcome::Differs
        }
    }

    /// Writes `s`.
    pub fn push_str(&mut self, s: &str) {
        self.push(s.as_bytes());
    }

    #[inline]
    fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= self.limit {
            self.compare_block();
        }
    }

    /// Compares what `buf` holds, and empties it.
    fn compare_block(&mut self) {
        if let Some(against) = &mut self.against
            && !against.differs
        {
            against.differs = !holds_next(&mut against.file, &self.buf);
        }
        self.buf.clear();
    }
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Write for Sink {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// The renderers write `&str`s, so the bytes are UTF-8.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Whether the next bytes of `file` are `expected` (a read error: they
/// are not).
fn holds_next(file: &mut File, mut expected: &[u8]) -> bool {
    thread_local! {
        static READ: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; BLOCK]);
    }
    READ.with_borrow_mut(|block| {
        while !expected.is_empty() {
            let want = expected.len().min(block.len());
            let n = match file.read(&mut block[..want]) {
                Ok(0) => return false,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return false,
            };
            if block[..n] != expected[..n] {
                return false;
            }
            expected = &expected[n..];
        }
        true
    })
}

/// Whether `file` has nothing more to read.
fn at_end(file: &mut File) -> bool {
    let mut byte = [0u8];
    loop {
        match file.read(&mut byte) {
            Ok(n) => return n == 0,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` written to a sink compared with `on_disk` in pieces of
    /// `piece` bytes.
    fn written_against(on_disk: &[u8], text: &str, piece: usize) -> Outcome {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("f");
        std::fs::write(&path, on_disk).unwrap();
        let mut sink = Sink::compared_with(&path);
        for chunk in text.as_bytes().chunks(piece.max(1)) {
            sink.push(chunk);
        }
        sink.finish()
    }

    #[test]
    fn a_file_is_the_same_only_byte_for_byte() {
        for piece in [1, 3, 1000, BLOCK + 1] {
            assert_eq!(written_against(b"a\nb\n", "a\nb\n", piece), Outcome::Same);
            assert_eq!(written_against(b"", "", piece), Outcome::Same);
            assert_eq!(written_against(b"a\n", "a\nb\n", piece), Outcome::Differs, "shorter");
            assert_eq!(written_against(b"a\nb\nc\n", "a\nb\n", piece), Outcome::Differs, "longer");
            assert_eq!(written_against(b"a\nb\n\n", "a\nb\n", piece), Outcome::Differs, "one byte more");
            assert_eq!(written_against(b"a\xff\n", "a\n", piece), Outcome::Differs, "not text");
        }
    }

    #[test]
    fn files_of_several_blocks_are_compared_to_the_last_byte() {
        let big: String = (0..3 * BLOCK + 7).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        for piece in [100, BLOCK - 1, BLOCK, 2 * BLOCK + 5] {
            assert_eq!(written_against(big.as_bytes(), &big, piece), Outcome::Same, "{piece}");
            for at in [0, BLOCK - 1, BLOCK, 2 * BLOCK + 3, big.len() - 1] {
                let mut other = big.clone().into_bytes();
                other[at] = b'!';
                assert_eq!(written_against(&other, &big, piece), Outcome::Differs, "{piece} at {at}");
            }
            let block = &big[..BLOCK];
            assert_eq!(written_against(&big.as_bytes()[..BLOCK + 1], block, piece), Outcome::Differs);
            assert_eq!(written_against(&big.as_bytes()[..BLOCK - 1], block, piece), Outcome::Differs);
        }
    }

    #[test]
    fn with_nothing_to_compare_the_text_is_kept() {
        let d = tempfile::tempdir().unwrap();
        let mut sink = Sink::compared_with(&d.path().join("missing"));
        sink.push_str("a\n");
        std::fmt::Write::write_str(&mut sink, "b中\n").unwrap();
        std::io::Write::write_all(&mut sink, b"c\n").unwrap();
        assert_eq!(sink.finish(), Outcome::Kept("a\nb中\nc\n".into()));
        assert_eq!(Sink::text(&|s| s.push_str("x")), "x");
    }
}
