#[rstest]
fn roundtrip_keeps_bytes() {}
