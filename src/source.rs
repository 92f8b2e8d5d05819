//! A file's text and its line index: byte offsets ↔ 1-based line/column.

use crate::redact::Secrets;

/// A file as read: its display name and UTF-8 text (BOM, CRLF and all),
/// its line index, and the secrets written in it (which every rendering of
/// the file masks).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    /// The line index and the secrets are found when first asked for: most
    /// files need neither for `bundle`, `plan` or `fix --check` (only files
    /// with external tables, or with something to show), and each reads
    /// every byte of the file.
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// Characters, and of them those outside the BMP (two UTF-16 units),
    /// before every [`BLOCK`]-th byte, for columns far into long lines
    /// (built when first needed).
    char_blocks: std::sync::OnceLock<Vec<[usize; 2]>>,
    secrets: std::sync::OnceLock<Secrets>,
    /// Where [`line`](Self::line)'s counts ended, and the bytes counts and
    /// searches have read, while there is no line index.
    counted: Counted,
    /// How the file's bytes map to `text` (for writing it back).
    pub encoding: crate::encoding::TextEncoding,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: String) -> Self {
        let (line_starts, char_blocks, secrets, counted) = Default::default();
        SourceFile { name: name.into(), text, line_starts, char_blocks, secrets, counted, encoding: Default::default() }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(self.text.as_bytes()))
    }

    /// The secrets written in the file, which every rendering of it masks.
    pub fn secrets(&self) -> &Secrets {
        self.secrets.get_or_init(|| Secrets::find(&self.text))
    }

    /// 1-based line and column (in characters) of a byte offset. Without a
    /// line index, found as [`line`](Self::line) and
    /// [`start_of_line`](Self::start_of_line) find them: a file's few
    /// findings and fixes built the whole index of most files (2,000 files:
    /// `check` 185.4 M instructions with it, 181.9 M without).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let (line, start) = (self.line(offset), self.start_of_line(offset));
        let col_end = self.text.floor_char_boundary(offset);
        let mut col = self.chars_between(start, col_end) + 1;
        // A BOM is not a column.
        if line == 1 && self.text.starts_with('\u{feff}') && offset > 0 {
            col -= 1;
        }
        (line, col)
    }

    /// [`line_col`](Self::line_col) of a span's start and of its end. The
    /// end's is counted on from the start's when no line break lies between
    /// them, as in most findings' spans (a second search for the line and
    /// its start was a fifth of what `check` spent on lines and columns).
    pub fn span_line_cols(&self, start: usize, end: usize) -> ((usize, usize), (usize, usize)) {
        let (line, col) = self.line_col(start);
        let (from, to) = (start.min(self.text.len()), end.min(self.text.len()));
        // From offset 0 a BOM is passed over (line_col's exception).
        if from == 0 || to < from || memchr::memchr(b'\n', &self.text.as_bytes()[from..to]).is_some() {
            return ((line, col), self.line_col(end));
        }
        let (from, to) = (self.text.floor_char_boundary(from), self.text.floor_char_boundary(to));
        ((line, col), (line, col + self.chars_between(from, to)))
    }

    /// Byte offset where the line holding `offset` starts. Without a line
    /// index, the line break before `offset` is looked for, and the bytes
    /// looked through count towards building the index as
    /// [`line`](Self::line)'s counts do (so many offsets far into one long
    /// line build it, rather than each search the line again).
    pub fn start_of_line(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if self.line_starts.get().is_none()
            && let Some(start) = self.counted.start_of_line(self.text.as_bytes(), offset)
        {
            return start;
        }
        self.line_start(self.line_index(offset))
    }

    /// How many characters `text[from..to]` holds (both char boundaries).
    pub fn chars_between(&self, from: usize, to: usize) -> usize {
        self.counts_between(from, to)[0]
    }

    /// How many UTF-16 code units `text[from..to]` takes (both char
    /// boundaries), as LSP counts a column.
    pub fn utf16_between(&self, from: usize, to: usize) -> usize {
        let [chars, astral] = self.counts_between(from, to);
        chars + astral
    }

    /// The characters in `text[from..to]`, and those of them outside the
    /// BMP. Far into a long line they are counted from the nearest block:
    /// a column counted from the line's start each time made 20,000
    /// findings on one 1.6 MB line take seconds.
    fn counts_between(&self, from: usize, to: usize) -> [usize; 2] {
        let bytes = self.text.as_bytes();
        if to - from <= BLOCK {
            return counts(&bytes[from..to]);
        }
        let blocks = self.char_blocks.get_or_init(|| {
            let mut before = vec![[0, 0]];
            for block in bytes.chunks(BLOCK) {
                let ([c, a], [bc, ba]) = (before[before.len() - 1], counts(block));
                before.push([c + bc, a + ba]);
            }
            before
        });
        let before = |at: usize| {
            let ([c, a], [rc, ra]) = (blocks[at / BLOCK], counts(&bytes[at / BLOCK * BLOCK..at]));
            [c + rc, a + ra]
        };
        let ([fc, fa], [tc, ta]) = (before(from), before(to));
        [tc - fc, ta - fa]
    }

    /// 0-based index of the line holding `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts().partition_point(|&s| s <= offset.min(self.text.len())) - 1
    }

    /// Byte offset where 0-based line `line` starts (the end of the text
    /// past the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts().get(line).copied().unwrap_or(self.text.len())
    }

    /// The number of lines (a final line break starts no new line of text,
    /// but counts as one here, as editors show it).
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// 1-based line of a byte offset (its column is not counted). Without
    /// a line index, the line breaks before `offset` are counted instead,
    /// from the nearest offset counted to that is not past it (statements
    /// are asked for in order, and `bundle` asks for each twice: for its
    /// use of a role, then for the repository's index), until twice as many
    /// bytes in all have been read as the file holds; then the index is
    /// built. `bundle` and `plan` ask only for the line of each external
    /// statement, and building the index for that was 4 % of `bundle`
    /// (2,000 files: 8.2 M of 188 M instructions); a count reads a byte in
    /// a quarter of the time, and counting each from the start, most files
    /// still built the index.
    pub fn line(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if self.line_starts.get().is_none()
            && let Some(newlines) = self.counted.newlines_before(self.text.as_bytes(), offset)
        {
            return newlines + 1;
        }
        self.line_index(offset) + 1
    }

    /// The file's line ending: that of its first line, else `\n`.
    pub fn newline(&self) -> &'static str {
        match self.text.find('\n') {
            Some(i) if i > 0 && self.text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        }
    }
}

/// Where a count of lines last ended: an offset, and the line breaks before
/// it. Lines are asked for in order (statements, annotations), so each
/// count goes on from the last.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct LineMark {
    offset: usize,
    newlines: usize,
}

impl LineMark {
    /// Where a count to `offset` starts: this mark when `offset` is past
    /// it, else the start of the text.
    fn start_for(self, offset: usize) -> LineMark {
        if offset >= self.offset { self } else { LineMark::default() }
    }

    /// The line breaks in `bytes` before `offset`, counted on from the
    /// mark (or from the start when `offset` is before it); the mark moves
    /// to `offset`.
    pub(crate) fn newlines_before(&mut self, bytes: &[u8], offset: usize) -> usize {
        let from = self.start_for(offset);
        *self = LineMark { offset, newlines: from.newlines + newlines_in(&bytes[from.offset..offset]) };
        self.newlines
    }
}

/// [`SourceFile::line`]'s marks: where each count ended, in order of
/// offset (a finding's end is asked for before the next one's start, and
/// the rules' findings come rule after rule), and how many bytes the counts
/// have read in all.
#[derive(Debug, Default)]
struct Counted(std::sync::Mutex<(Vec<LineMark>, usize)>);

impl Clone for Counted {
    fn clone(&self) -> Self {
        let guard = self.lock();
        Counted(std::sync::Mutex::new((guard.0.clone(), guard.1)))
    }
}

impl Counted {
    fn lock(&self) -> std::sync::MutexGuard<'_, (Vec<LineMark>, usize)> {
        // A count holds the lock only while it adds up bytes.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The line breaks in `bytes` before `offset`, counted on from the
    /// nearest mark not past it; `None` once the counts would have read
    /// more than [`budget`] in all (and the marks are let go).
    fn newlines_before(&self, bytes: &[u8], offset: usize) -> Option<usize> {
        let mut guard = self.lock();
        let after = guard.0.partition_point(|m| m.offset <= offset);
        let mut mark = after.checked_sub(1).map_or_else(LineMark::default, |i| guard.0[i]);
        if !spend(&mut guard, offset - mark.offset, bytes) {
            return None;
        }
        let marks = &mut guard.0;
        let newlines = mark.newlines_before(bytes, offset);
        let known = after > 0 && marks[after - 1].offset == offset;
        if !known && marks.len() < MAX_MARKS {
            marks.insert(after, mark);
        }
        Some(newlines)
    }

    /// Where the line holding `offset` starts: after the last line break
    /// before it; `None` once the bytes looked through, with the counts',
    /// are more than [`budget`].
    fn start_of_line(&self, bytes: &[u8], offset: usize) -> Option<usize> {
        let start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |p| p + 1);
        spend(&mut self.lock(), offset - start, bytes).then_some(start)
    }
}

/// Marks kept at most (each a count's end): an insertion moves no more
/// than 64 KiB of them.
const MAX_MARKS: usize = 4096;

/// The bytes counts and searches may read in all before the line index is
/// built: twice the file. `check` counts to each external statement for
/// the repository's index (nearly a pass when one ends the file), then
/// to each finding's start and end; with the file's length as the budget,
/// 730 of 2,000 files built the index (5 M instructions, where a count
/// reads a byte in a quarter of the time the index takes).
fn budget(bytes: &[u8]) -> usize {
    bytes.len().saturating_mul(2)
}

/// Adds `more` to the bytes the counts and searches have read: whether
/// they are still within the [`budget`] (once not, the marks are let go:
/// the index is built).
fn spend((marks, read): &mut (Vec<LineMark>, usize), more: usize, bytes: &[u8]) -> bool {
    *read = read.saturating_add(more);
    if *read > budget(bytes) {
        *marks = Vec::new();
        return false;
    }
    true
}

/// How many `\n` bytes `bytes` holds, counted 255 bytes at a time in a
/// byte each (which the compiler turns into wide compares: 17 GB/s here,
/// where building the line index goes at 4.5).
fn newlines_in(bytes: &[u8]) -> usize {
    let in_chunk = |c: &[u8]| c.iter().fold(0u8, |n, &b| n + u8::from(b == b'\n'));
    bytes.chunks(255).map(|c| usize::from(in_chunk(c))).sum()
}

/// Bytes to a block of [`SourceFile::chars_between`]'s index.
const BLOCK: usize = 4096;

/// The characters that start in `bytes`, and those of them outside the BMP
/// (a cut through a character counts it in the part that holds its first
/// byte).
fn counts(bytes: &[u8]) -> [usize; 2] {
    let chars = bytes.iter().filter(|&&b| (b as i8) >= -0x40).count();
    [chars, bytes.iter().filter(|&&b| b >= 0xF0).count()]
}

/// Where each line starts: 0 and every offset after a `\n`.
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(bytes.len() / 32 + 1);
    starts.push(0);
    #[cfg(target_arch = "x86_64")]
    let (base, rest) = newlines_sse2(bytes, &mut starts);
    #[cfg(not(target_arch = "x86_64"))]
    let (base, rest) = (0, bytes);
    starts.extend(memchr::memchr_iter(b'\n', rest).map(|p| base + p + 1));
    starts
}

/// The line starts of `bytes`' whole 16-byte blocks, 16 bytes compared at
/// once into a bit mask; returns where the rest starts, and the rest.
/// `memchr_iter` does the same work with a call and a setup per line, which
/// dominates on short lines (2,000 files: 14 M instructions that way, 9 M
/// this way). SSE2 is part of every x86-64 CPU.
#[cfg(target_arch = "x86_64")]
fn newlines_sse2<'a>(bytes: &'a [u8], starts: &mut Vec<usize>) -> (usize, &'a [u8]) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
    let mut blocks = bytes.chunks_exact(16);
    let mut base = 0;
    for block in &mut blocks {
        // SAFETY: SSE2 is always enabled on x86_64, and `block` is 16
        // readable bytes (an unaligned load needs no alignment).
        let mask = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)))
        };
        let mut mask = mask as u32;
        while mask != 0 {
            starts.push(base + mask.trailing_zeros() as usize + 1);
            mask &= mask - 1;
        }
        base += 16;
    }
    (base, blocks.remainder())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A span's end is where `line_col` puts it, whether counted on from
    /// its start or found on its own.
    #[test]
    fn a_span_end_counted_on_is_where_line_col_puts_it() {
        for text in ["\u{feff}ab 名前\r\nx😀y\n\nlast", "one line, no break", "\n\n🦀\r\n", ""] {
            let f = SourceFile::new("t.sql", text.to_string());
            for start in 0..text.len() + 2 {
                for end in start.saturating_sub(1)..text.len() + 2 {
                    let expected = (f.line_col(start), f.line_col(end));
                    assert_eq!(f.span_line_cols(start, end), expected, "{text:?} {start}..{end}");
                }
            }
        }
    }

    #[test]
    fn line_and_column() {
        let f = SourceFile::new("t.sql", "ab\r\n名前 x\nlast".to_string());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(4), (2, 1));
        assert_eq!(f.line_col(11), (2, 4));
        assert_eq!(f.line_col(13), (3, 1));
        assert_eq!((f.line_index(5), f.line_start(1)), (1, 4));
        for offset in 0..f.text.len() + 3 {
            assert_eq!(f.line(offset), f.line_col(offset).0, "at {offset}");
        }
        assert_eq!(f.newline(), "\r\n");
        let bom = SourceFile::new("b.sql", "\u{feff}SET x;".to_string());
        assert_eq!(bom.line_col(3), (1, 1));
    }

    proptest::proptest! {
        #[test]
        fn lines_are_counted_until_the_file_is_read_then_indexed(
            text in "[a\\n\\ré中]{0,700}",
            asked in proptest::collection::vec((0..800usize, 0..3u8), 1..12),
        ) {
            let file = SourceFile::new("t.sql", text.clone());
            let reference = SourceFile::new("t.sql", text.clone());
            reference.line_index(0);
            let (mut read, mut marks) = (0, std::collections::BTreeSet::from([0]));
            let mut count_to = |at: usize, read: &mut usize| {
                // Counted on from the nearest offset counted to that is not
                // past this one; every offset counted to is kept.
                *read += at - marks.range(..=at).next_back().copied().unwrap_or(0);
                marks.insert(at);
            };
            for &(offset, how) in &asked {
                let at = offset.min(text.len());
                let start = text.as_bytes()[..at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
                match how {
                    0 => {
                        proptest::prop_assert_eq!(file.line(offset), reference.line(offset));
                        count_to(at, &mut read);
                    }
                    1 => {
                        proptest::prop_assert_eq!(file.start_of_line(offset), start);
                        read += at - start;
                    }
                    _ => {
                        proptest::prop_assert_eq!(file.line_col(offset), reference.line_col(offset));
                        count_to(at, &mut read);
                        // The line's start is looked for only while unindexed.
                        if read <= 2 * text.len() {
                            read += at - start;
                        }
                    }
                }
                proptest::prop_assert_eq!(file.line_starts.get().is_some(), read > 2 * text.len());
            }
        }
    }

    #[test]
    fn offsets_far_into_one_long_line_build_the_index() {
        let text = format!("a\n{}", "x".repeat(100_000));
        let file = SourceFile::new("t.sql", text.clone());
        for offset in (0..text.len()).rev().step_by(7_000).take(3) {
            assert_eq!(file.start_of_line(offset), 2);
        }
        assert!(file.line_starts.get().is_some(), "three searches back through the line read more than twice the file");
    }

    #[test]
    fn characters_between_offsets_far_apart_are_counted_by_block() {
        let text: String = (0..3 * BLOCK).map(|i| ['a', 'é', '中', '😀'][i % 7 % 4]).collect();
        let file = SourceFile::new("f.sql", text.clone());
        let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).step_by(97).collect();
        for &from in &bounds {
            for &to in bounds.iter().filter(|&&to| to >= from).step_by(13) {
                assert_eq!(file.chars_between(from, to), text[from..to].chars().count(), "{from}..{to}");
                assert_eq!(file.utf16_between(from, to), text[from..to].encode_utf16().count(), "{from}..{to}");
            }
        }
        assert_eq!(file.chars_between(0, text.len()), 3 * BLOCK);
    }

    #[test]
    fn line_starts_agree_with_a_plain_search_across_blocks() {
        // Line ends at every distance from the 16-byte block edges.
        for len in [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 200] {
            for step in 1..=40 {
                let text: String = (0..len).map(|i| if i % step == step - 1 { '\n' } else { 'x' }).collect();
                let plain: Vec<usize> =
                    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
                assert_eq!(line_starts(text.as_bytes()), plain, "len {len}, step {step}");
            }
        }
    }
}
