//! A lossless lexer for MaxCompute SQL.
//!
//! Every byte of the input belongs to exactly one token, so the tokens tile the
//! source and any span can be sliced back out of the original text. It knows
//! only what the statement scanner needs: whitespace, both comment forms,
//! words, quoted identifiers, string literals (with MaxCompute's `''` and `\`
//! escapes, and `"…"` as a string), numbers, `;` and single punctuation
//! characters. It is a flat loop: no recursion, so no input can overflow the
//! stack.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Spaces, tabs, newlines and a leading byte-order mark.
    Whitespace,
    /// `-- …` up to (not including) the `\n`; a trailing `\r` is part of it.
    LineComment,
    /// `/* … */`.
    BlockComment,
    /// An unquoted identifier or keyword.
    Word,
    /// `` `…` ``.
    QuotedIdent,
    /// `'…'` or `"…"`.
    String,
    /// A number-like run starting with a digit (`10`, `1e5`, `10L`).
    Number,
    /// `;`.
    Semicolon,
    /// Any other single character.
    Punct,
}

/// One token: its kind and byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    /// Whitespace and comments carry no meaning for the grammar.
    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, TokenKind::Whitespace | TokenKind::LineComment | TokenKind::BlockComment)
    }
}

/// A literal or comment that never ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// Where the unterminated construct starts (its opening character).
    pub at: usize,
    pub what: &'static str,
    pub closer: &'static str,
}

/// Splits `src` into tokens. On error, the tokens read so far are returned
/// with the error.
pub fn tokenize(src: &str) -> Result<Vec<Token>, (Vec<Token>, LexError)> {
    let mut tokens = Vec::with_capacity(src.len() / 4);
    for t in Lexer::new(src) {
        match t {
            Ok(t) => tokens.push(t),
            Err(e) => return Err((tokens, e)),
        }
    }
    Ok(tokens)
}

/// The tokens of a source, one at a time (no token vector needed). After an
/// error it yields nothing more.
pub struct Lexer<'a> {
    bytes: &'a [u8],
    i: usize,
    /// See [`mark`](Self::mark).
    mark: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Lexer<'a> {
        Lexer { bytes: src.as_bytes(), i: 0, mark: 0 }
    }

    /// The tokens of `src` from byte `i`, which must start a token.
    pub fn starting_at(src: &'a str, i: usize) -> Lexer<'a> {
        Lexer { bytes: src.as_bytes(), i, mark: i }
    }
}

impl Lexer<'_> {
    /// Inside a parenthesised group whose contents nothing reads (a table's
    /// column list), the next token that matters to the scanner: `(`, `)`,
    /// `;` or a line comment. Strings, comments, quoted names and variables
    /// are read whole, as [`next`](Iterator::next) reads them; the bytes
    /// between them that can start none of those are passed over 16 at a
    /// time. Every other token starts at such a byte and holds no byte
    /// that could start one of those (a variable in a word starts with `$`
    /// or `{`), so the tokens returned are those `next` would return.
    pub fn next_in_group(&mut self) -> Option<Result<Token, LexError>> {
        loop {
            self.i = skim::<false>(self.bytes, self.i);
            match self.next()? {
                Ok(t) if !matters_in_group(self.bytes, &t) => {}
                t => return Some(t),
            }
        }
    }

    /// In the rest of a query, the next token that matters to the scanner:
    /// `;`, a line comment or the word INSERT (a write). The rest is passed
    /// over as [`next_in_group`](Self::next_in_group) passes it, stopping
    /// also at each `i` and `I`. Where `insert` is written there, the
    /// tokens from the last token end known are read up to it, to see
    /// whether a word starts there (`x_insert`, `1.insert` hold none).
    /// `from` is where the skim began (the end of a token).
    pub fn next_in_query(&mut self, from: usize) -> Option<Result<Token, LexError>> {
        // A mark before `from` is left from an earlier skim.
        self.mark = self.mark.max(from);
        loop {
            self.i = skim::<true>(self.bytes, self.i);
            if self.bytes.get(self.i).is_some_and(|b| b | 0x20 == b'i') {
                match self.insert_at() {
                    Some(t) => return Some(Ok(t)),
                    None => continue,
                }
            }
            match self.next()? {
                Ok(t) if matches!(t.kind, TokenKind::Semicolon | TokenKind::LineComment) => return Some(Ok(t)),
                Ok(t) if !t.is_trivia() => self.mark = t.start,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// Where the last token that [`next_in_query`](Self::next_in_query)
    /// read and did not return starts, or where the skim began: the
    /// query's last token is not before it.
    pub fn mark(&self) -> usize {
        self.mark
    }

    /// At an `i` or `I` a query's skim stopped at: the word INSERT if it
    /// starts there; else the skim goes on after the `i`, or after the
    /// token that holds it.
    fn insert_at(&mut self) -> Option<Token> {
        let p = self.i;
        if !self.bytes.get(p..p + 6).is_some_and(|w| w.eq_ignore_ascii_case(b"insert")) {
            self.i = p + 1;
            return None;
        }
        // From the mark (a token's start, or the end of one) to `p` lie
        // only tokens a skim passes over: words, numbers, white space and
        // punctuation, and the token the mark is at.
        let (mut start, mut end) = (self.mark, self.mark);
        while end <= p {
            start = end;
            end = token_at(self.bytes, end).map_or(p + 1, |(_, end)| end);
        }
        // The word that holds `p`: `insert`, or a longer one (`insert${x}`,
        // `x_insert`), read and passed over.
        (self.i, self.mark) = (end, start);
        (start == p && end == p + 6).then_some(Token { kind: TokenKind::Word, start: p, end })
    }
}

fn matters_in_group(bytes: &[u8], t: &Token) -> bool {
    match t.kind {
        TokenKind::Semicolon | TokenKind::LineComment => true,
        TokenKind::Punct => matches!(bytes[t.start], b'(' | b')'),
        _ => false,
    }
}

/// Whether a byte can start a token that matters in a group, or a string,
/// comment, quoted name or variable (which may hold such bytes).
#[inline]
fn starts_something(b: u8) -> bool {
    matches!(b, b'\'' | b'"' | b'`' | b'-' | b'/' | b'(' | b')' | b';' | b'$' | b'{')
}

/// The first offset from `i` whose byte [`starts_something`], or in a
/// query (`QUERY`) is an `i` or `I`.
fn skim<const QUERY: bool>(bytes: &[u8], i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    let i = skim_sse2::<QUERY>(bytes, i);
    skip(bytes, i, |b| !(starts_something(b) || (QUERY && b | 0x20 == b'i')))
}

/// [`skim`] over `bytes`' whole 16-byte blocks from `i`: the offset found,
/// or the start of the first block not whole. SSE2 is part of every x86-64
/// CPU.
#[cfg(target_arch = "x86_64")]
fn skim_sse2<const QUERY: bool>(bytes: &[u8], mut i: usize) -> usize {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    while let Some(block) = bytes.get(i..i + 16) {
        // SAFETY: SSE2 is always enabled on x86_64, and `block` is 16
        // readable bytes (an unaligned load needs no alignment).
        let found = unsafe {
            let v = _mm_loadu_si128(block.as_ptr().cast());
            let mut any = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\'' as i8));
            for b in [b'"', b'`', b'-', b'/', b'(', b')', b';', b'$', b'{'] {
                any = _mm_or_si128(any, _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8)));
            }
            if QUERY {
                let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
                any = _mm_or_si128(any, _mm_cmpeq_epi8(folded, _mm_set1_epi8(b'i' as i8)));
            }
            _mm_movemask_epi8(any)
        };
        if found != 0 {
            return i + found.trailing_zeros() as usize;
        }
        i += 16;
    }
    i
}

impl Iterator for Lexer<'_> {
    type Item = Result<Token, LexError>;

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let start = self.i;
        if start >= self.bytes.len() {
            return None;
        }
        match token_at(self.bytes, start) {
            Ok((kind, end)) => {
                self.i = end;
                Some(Ok(Token { kind, start, end }))
            }
            Err(e) => {
                // Nothing after an unreadable token can be trusted.
                self.i = self.bytes.len();
                Some(Err(e))
            }
        }
    }
}

/// The kind and end of the token that starts at `i`. It and `next` are
/// inlined into each loop that reads tokens: once the scanner had two such
/// loops, the compiler called them instead, and `check` took a quarter more
/// instructions.
#[inline(always)]
fn token_at(bytes: &[u8], i: usize) -> Result<(TokenKind, usize), LexError> {
    let closed =
        |end: Option<usize>, kind, what, closer| end.map(|e| (kind, e)).ok_or(LexError { at: i, what, closer });
    let b = bytes[i];
    let next = bytes.get(i + 1).copied();
    Ok(match b {
        _ if is_space_byte(b) => (TokenKind::Whitespace, skip(bytes, i, is_space_byte)),
        b'0'..=b'9' => (TokenKind::Number, skip(bytes, i, |c| is_word_byte(c) || c == b'.')),
        // A byte-order mark is white space, at the start only.
        0xEF if i == 0 && bytes.starts_with("\u{feff}".as_bytes()) => (TokenKind::Whitespace, 3),
        _ if is_word_byte(b) => (TokenKind::Word, word_end(bytes, i)),
        b'-' if next == Some(b'-') => (TokenKind::LineComment, memchr_newline(bytes, i)),
        b'/' if next == Some(b'*') => {
            return closed(comment_end(bytes, i + 2), TokenKind::BlockComment, "comment", "*/");
        }
        b'\'' => return closed(end_of_string(bytes, i), TokenKind::String, "string", "'"),
        b'"' => return closed(end_of_string(bytes, i), TokenKind::String, "string", "\""),
        b'`' => return closed(end_of_backtick(bytes, i), TokenKind::QuotedIdent, "quoted name", "`"),
        b';' => (TokenKind::Semicolon, i + 1),
        b'$' | b'{' if variable_len(bytes, i) > 0 => (TokenKind::Word, word_end(bytes, i)),
        _ => (TokenKind::Punct, i + 1),
    })
}

/// The first offset from `i` whose byte is not `keep`.
#[inline]
fn skip(bytes: &[u8], mut i: usize, keep: impl Fn(u8) -> bool) -> usize {
    while i < bytes.len() && keep(bytes[i]) {
        i += 1;
    }
    i
}

/// The end of a word starting at `i`. A word may hold DataWorks variables:
/// `tmp_${bizdate}_x`.
#[inline]
fn word_end(bytes: &[u8], mut i: usize) -> usize {
    loop {
        i = skip(bytes, i, is_word_byte);
        match bytes.get(i) {
            Some(b'$' | b'{') if variable_len(bytes, i) > 0 => i += variable_len(bytes, i),
            _ => return i,
        }
    }
}

const WORD: u8 = 1;
const SPACE: u8 = 2;

/// Byte classes, looked up once per byte in the hot loops.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 {
            t[i] = WORD;
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
            t[i] = SPACE;
        }
        i += 1;
    }
    t
};

/// Letters, digits, `_`, and every byte of a non-ASCII character (so CJK
/// names are words and no token ever splits a UTF-8 sequence).
#[inline]
fn is_word_byte(b: u8) -> bool {
    CLASS[b as usize] == WORD
}

#[inline]
fn is_space_byte(b: u8) -> bool {
    CLASS[b as usize] == SPACE
}

/// The length of a scheduling variable at `i` — `${name}`, `$[expr]`,
/// `{NAME}` or `$name` — else 0. Variables hold no white space, quotes or
/// `;`, and are at most 64 bytes long.
fn variable_len(bytes: &[u8], i: usize) -> usize {
    let closed_by = |open: usize, close: u8| {
        let body = &bytes[open..bytes.len().min(open + 64)];
        match body.iter().position(|&b| b == close || is_space_byte(b) || matches!(b, b'\'' | b'"' | b';' | b'`')) {
            Some(p) if p > 0 && body[p] == close => open + p + 1 - i,
            _ => 0,
        }
    };
    match (bytes.get(i), bytes.get(i + 1)) {
        (Some(b'$'), Some(b'{')) => closed_by(i + 2, b'}'),
        (Some(b'$'), Some(b'[')) => closed_by(i + 2, b']'),
        (Some(b'$'), Some(&n)) if n.is_ascii_alphabetic() || n == b'_' => {
            1 + bytes[i + 1..].iter().take_while(|&&b| is_word_byte(b)).count()
        }
        (Some(b'{'), Some(&n)) if n.is_ascii_alphabetic() || n == b'_' => {
            let n = bytes[i + 1..].iter().take_while(|&&b| is_word_byte(b)).count();
            if bytes.get(i + 1 + n) == Some(&b'}') { n + 2 } else { 0 }
        }
        _ => 0,
    }
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |p| from + p)
}

/// The end of the block comment whose text starts at `from` (after its
/// `/*`). The searcher is built once, not at each comment.
fn comment_end(bytes: &[u8], from: usize) -> Option<usize> {
    static CLOSE: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("*/"));
    CLOSE.find(bytes.get(from..)?).map(|p| from + p + 2)
}

/// End (exclusive) of the string starting at `start`, honouring `\x` and a
/// doubled quote.
fn end_of_string(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        // Skip to the next quote or backslash.
        match memchr::memchr2(quote, b'\\', &bytes[i..]) {
            Some(p) => i += p,
            None => return None,
        }
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => {
                if bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return Some(i + 1);
                }
            }
            _ => i += 1,
        }
    }
    None
}

fn end_of_backtick(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            if bytes.get(i + 1) == Some(&b'`') {
                i += 2;
            } else {
                return Some(i + 1);
            }
        } else {
            i += 1;
        }
    }
    None
}

/// The value of a string literal token's text (quotes removed, escapes
/// resolved).
pub fn unquote(text: &str) -> String {
    let Some(quote) = text.chars().next() else {
        return String::new();
    };
    // Quotes are ASCII, so slicing one byte off each end stays on char boundaries.
    let inner = if text.len() >= 2 { &text[1..text.len() - 1] } else { "" };
    // Most literals hold no escape: one copy.
    if quote.is_ascii() && memchr::memchr2(b'\\', quote as u8, inner.as_bytes()).is_none() {
        return inner.to_string();
    }
    let mut out = String::with_capacity(inner.len());
    let mut it = inner.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else if c == quote && it.peek() == Some(&quote) {
            it.next();
            out.push(quote);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        tokenize(src).unwrap().iter().map(|t| (t.kind, &src[t.range()])).collect()
    }

    fn assert_tiles(src: &str) {
        let toks = tokenize(src).unwrap();
        let mut at = 0;
        for t in &toks {
            assert_eq!(t.start, at, "gap before {t:?}");
            at = t.end;
        }
        assert_eq!(at, src.len());
    }

    #[test]
    fn strings_with_escapes_and_doubled_quotes() {
        let src = r#"'it''s' 'back\'slash' "dq\"x" 'a;b'"#;
        let toks: Vec<_> = kinds(src).into_iter().filter(|(k, _)| *k == TokenKind::String).collect();
        assert_eq!(toks.len(), 4);
        assert_eq!(unquote(toks[0].1), "it's");
        assert_eq!(unquote(toks[1].1), "back'slash");
        assert_eq!(unquote(toks[2].1), "dq\"x");
        assert_eq!(unquote(toks[3].1), "a;b");
    }

    #[test]
    fn comments_keep_their_carriage_return_and_hide_semicolons() {
        let src = "-- a; b\r\n/* c; */;";
        let k = kinds(src);
        assert_eq!(k[0], (TokenKind::LineComment, "-- a; b\r"));
        assert_eq!(k[2], (TokenKind::BlockComment, "/* c; */"));
        assert_eq!(k[3], (TokenKind::Semicolon, ";"));
    }

    #[test]
    fn tiles_unicode_bom_and_crlf() {
        assert_tiles("\u{feff}CREATE `my``db`.t (名前 string) -- 注释\r\nLOCATION 'oss://x/中文/';\r\n");
        assert_tiles("");
        assert_tiles("${bizdate} 1e5 10L 0x1F");
        // The mark is white space at the start, and part of a word anywhere else.
        assert_eq!(kinds("\u{feff}SET")[..2], [(TokenKind::Whitespace, "\u{feff}"), (TokenKind::Word, "SET")]);
        assert_eq!(kinds("a\u{feff}"), [(TokenKind::Word, "a\u{feff}")]);
    }

    #[test]
    fn variables_are_part_of_words() {
        let words: Vec<&str> = kinds("tmp_ext_${bizdate} p.t_$[yyyymmdd-1] {TIME_STAMP}_x $name ${a b} {}")
            .into_iter()
            .filter(|(k, _)| *k == TokenKind::Word)
            .map(|(_, w)| w)
            .collect();
        assert_eq!(words, vec!["tmp_ext_${bizdate}", "p", "t_$[yyyymmdd-1]", "{TIME_STAMP}_x", "$name", "a", "b"]);
        assert_tiles("x_${ y ${} $ {x");
    }

    #[test]
    fn unterminated_constructs_are_errors_at_their_start() {
        let (_, e) = tokenize("select 'abc").unwrap_err();
        assert_eq!((e.at, e.what), (7, "string"));
        let (_, e) = tokenize("a /* b").unwrap_err();
        assert_eq!((e.at, e.what), (2, "comment"));
        let (_, e) = tokenize("x `y").unwrap_err();
        assert_eq!(e.at, 2);
    }

    /// Texts made of pieces that start strings, comments, names, variables
    /// and groups, or hold such bytes, in a fixed pseudo-random order.
    pub(crate) fn tricky_texts(count: usize) -> Vec<String> {
        const PIECES: &str = concat!(
            "(|)|;|'|\"|`|--|-|/*|*/|/|$|{|}|${x}|$[add_months(yyyymmdd,-1)]|$[a--b]|{T}|$name|\\|''|a|col_1| |  |",
            "\n|\r\n|中文|1.5e-3|DECIMAL(18,2)|-- @access oss\n|-- @acess\n|'a;b)('|\u{feff}|=|,|<|>|[|]|\t|xxxxxxxxxxxxxxxxxxxx|",
            "insert|INSERT |Insert|into|INTO |overwrite|table |TABLE|.|}|]|1|i|I|x.insert|${x}insert|insert${y}|insert_x|",
            "<t>|xinsert|1.insert|{T}insert| INSERT INTO t |insert overwrite table p.`t` |-- insert into c\n|'insert into s'",
        );
        let pieces: Vec<&str> = PIECES.split('|').collect();
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        (0..count).map(|_| (0..next(40)).map(|_| pieces[next(pieces.len())]).collect()).collect()
    }

    #[test]
    fn a_group_skimmed_gives_the_tokens_that_matter_in_it() {
        for text in tricky_texts(20_000) {
            let (mut all, mut skimmed) = (Lexer::new(&text), Lexer::new(&text));
            let bytes = text.as_bytes();
            loop {
                let want = all.by_ref().find(|t| t.as_ref().map_or(true, |t| matters_in_group(bytes, t)));
                let got = skimmed.next_in_group();
                assert_eq!(got, want, "in {text:?}");
                if got.is_none() {
                    break;
                }
            }
        }
    }

    #[test]
    fn trailing_backslash_does_not_read_past_the_end() {
        assert!(tokenize("'abc\\").is_err());
        assert_eq!(unquote(r"'a\\b'"), r"a\b");
    }
}
