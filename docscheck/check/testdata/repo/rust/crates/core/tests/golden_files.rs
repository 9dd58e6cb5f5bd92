#[test]
#[ignore]
fn golden_output_matches() {}
