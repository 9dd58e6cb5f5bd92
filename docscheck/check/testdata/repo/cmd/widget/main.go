// Command widget is a docscheck fixture.
package main

func main() {}
