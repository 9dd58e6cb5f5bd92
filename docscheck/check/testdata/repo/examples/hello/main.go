// Command hello is a fixture example with its own Makefile.
package main

func main() {}
