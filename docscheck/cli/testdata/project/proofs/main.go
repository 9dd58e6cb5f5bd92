// Command proofs is a docscheck fixture.
package main

func main() {}
