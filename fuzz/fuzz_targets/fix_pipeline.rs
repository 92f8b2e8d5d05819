//! The whole pipeline from raw bytes: decode (UTF-8, else GBK, else lossy
//! with an encoding finding), scan, resolve, fix (with its contract: bytes
//! outside the edits kept, idempotent), check (no rendered report shows a
//! secret) and bundle.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/contract.rs"]
mod contract;
use mcaccess::config::Config;
use mcaccess::lint::{Options, RepoIndex};
use mcaccess::encoding::{TextEncoding, decode};
use mcaccess::source::SourceFile;

fuzz_target!(|data: &[u8]| {
    let config = Config { legacy_encoding: TextEncoding::Gbk, ..Config::default() };
    let analysis = mcaccess::analyse_decoded("f.sql".into(), decode(data.to_vec(), TextEncoding::Gbk), &config);
    let text = analysis.source.text.clone();
    let text = text.as_str();
    let plan = analysis.fixes();
    if plan.blockers.is_empty() {
        let edits = plan.edits();
        let out = mcaccess::fix::apply(text, &edits);
        // The same contract the tests prove: bytes outside the edits kept,
        // edits only in annotated statements, deletions only rolearn material.
        contract::assert_edit_contract(text, &analysis.scanned, &edits, &out);
        let again = mcaccess::analyse(SourceFile::new("f.sql", out.clone()), &config).fixes();
        assert!(again.blockers.is_empty(), "fix wrote a file it cannot read: {out:?}");
        assert!(again.edits().is_empty(), "fix is not idempotent: {out:?}");
    }
    let analyses = vec![analysis];
    let repo = RepoIndex::build(&analyses);
    let source = &analyses[0].source;
    // Secrets that appear once in the file must appear in no report.
    let secrets: Vec<&str> = source
        .secrets()
        .ranges()
        .iter()
        .map(|r| &text[r.clone()])
        .filter(|s| s.len() >= 6 && text.matches(*s).count() == 1)
        .collect();
    for f in mcaccess::pipeline::check_document(&analyses[0], &repo, &config, &Options::default(), "2026-11-23") {
        let shown = mcaccess::report::render(&f.diagnostic, source, mcaccess::report::Style::plain());
        for s in &secrets {
            assert!(!shown.contains(s), "a report shows the secret {s:?}");
        }
    }
    if let Ok(b) = mcaccess::bundle::build(analyses) {
        let _ = b.files();
    }
});
