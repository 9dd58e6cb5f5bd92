// Package calc is a docscheck fixture.
package calc

// Add adds.
func Add(a, b int) int { return a + b }
