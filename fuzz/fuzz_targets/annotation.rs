//! The annotation parser on any comment text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rest) = std::str::from_utf8(data) {
        for directive in ["access", "maxcompute", "allow"] {
            let comment = format!("-- @{directive} {rest}");
            let line = comment.split('\n').next().unwrap_or("");
            if let Err(d) = mcaccess::annotation::parse(line, 0) {
                assert!(d.span.start <= d.span.end && d.span.end <= line.len(), "{d:?}");
            }
            let _ = mcaccess::annotation::classify(line);
        }
    }
});
