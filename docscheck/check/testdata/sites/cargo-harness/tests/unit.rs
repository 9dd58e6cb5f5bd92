#[test]
fn adds_small_numbers() {
    assert_eq!(spec_runner::add(1, 2), 3);
}
