//! The lexer and statement scanner on any input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let scanned = mcaccess::scan::scan(text);
        // Every span the scanner reports lies on character boundaries.
        for s in &scanned.statements {
            assert!(text.is_char_boundary(s.span.start) && text.is_char_boundary(s.span.end));
        }
        for p in &scanned.problems {
            assert!(mcaccess::lint::describe::scan(p).span.end <= text.len());
        }
    }
});
