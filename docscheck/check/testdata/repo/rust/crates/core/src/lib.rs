pub fn add(a: i32, b: i32) -> i32 { a + b }

#[cfg(test)]
mod tests {
    #[test]
    fn adds_small_numbers() { assert_eq!(super::add(1, 2), 3); }

    #[tokio::test]
    async fn adds_async() {}
}
