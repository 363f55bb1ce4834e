//! docs/spec-coverage.md names a test for every rule it claims is checked; each must exist.

use std::fs;

/// Every `path::name` reference in the coverage table.
fn references(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for cell in doc.split('`').skip(1).step_by(2) {
        if let Some((path, name)) = cell.split_once("::") {
            if path.ends_with(".rs") && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                out.push((path.to_string(), name.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_test_named_in_spec_coverage_exists() {
    let root = env!("CARGO_MANIFEST_DIR");
    let doc = fs::read_to_string(format!("{root}/docs/spec-coverage.md")).unwrap();
    let refs = references(&doc);
    assert!(
        refs.len() > 50,
        "the table names tests ({} found)",
        refs.len()
    );
    let mut missing = Vec::new();
    for (path, name) in &refs {
        let source = fs::read_to_string(format!("{root}/{path}")).unwrap_or_default();
        // A test function, not just a mention: `fn name(` preceded somewhere by #[test].
        let defined = source
            .find(&format!("fn {name}("))
            .is_some_and(|at| source[..at].contains("#[test]"));
        if !defined {
            missing.push(format!("{path}::{name}"));
        }
    }
    assert!(
        missing.is_empty(),
        "named in docs/spec-coverage.md but not a test: {missing:#?}"
    );
}

#[test]
fn references_are_read_from_backticked_cells_only() {
    let refs = references("| a | `tests/x.rs::some_test` | `tools::Call` | `src/y.rs::other` |");
    assert_eq!(
        refs,
        [
            ("tests/x.rs".to_string(), "some_test".to_string()),
            ("src/y.rs".into(), "other".into())
        ]
    );
}
