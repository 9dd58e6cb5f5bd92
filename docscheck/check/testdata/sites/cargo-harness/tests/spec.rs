// Fixture: a spec-test runner with its own main.
fn main() {}
