//! The whole pipeline: scan, resolve, fix (with its contract: bytes outside
//! the edits kept, idempotent), check and bundle.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcaccess::config::Config;
use mcaccess::lint::{FileContext, Options, RepoIndex, lint_file};
use mcaccess::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let config = Config::default();
    let analysis = mcaccess::analyse(SourceFile::new("f.sql", text.to_string()), &config);
    let plan = analysis.fixes();
    if plan.errors.is_empty() {
        let edits = plan.edits();
        let out = mcaccess::fix::apply(text, &edits);
        let (mut at_in, mut at_out) = (0, 0);
        for e in &edits {
            assert!(e.range.start >= at_in, "overlapping edits");
            let gap = &text.as_bytes()[at_in..e.range.start];
            assert_eq!(&out.as_bytes()[at_out..at_out + gap.len()], gap);
            at_out += gap.len() + e.text.len();
            at_in = e.range.end;
        }
        assert_eq!(&out.as_bytes()[at_out..], &text.as_bytes()[at_in..]);
        let again = mcaccess::analyse(SourceFile::new("f.sql", out.clone()), &config).fixes();
        assert!(again.errors.is_empty(), "fix wrote a file it cannot read: {out:?}");
        assert!(again.edits().is_empty(), "fix is not idempotent: {out:?}");
    }
    let analyses = vec![analysis];
    let repo = RepoIndex::build(&analyses);
    let ctx = FileContext { analysis: &analyses[0], fixes: &plan, config: &config, repo: &repo, today: "2026-11-23" };
    for f in lint_file(&ctx, &Options::default()) {
        let _ = mcaccess::report::render(&f.diagnostic, &analyses[0].source, mcaccess::report::Style::plain());
    }
    if let Ok(b) = mcaccess::bundle::build(&analyses) {
        let _ = b.files();
    }
});
