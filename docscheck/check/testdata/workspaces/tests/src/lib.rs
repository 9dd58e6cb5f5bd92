#[test]
fn plays() {}
