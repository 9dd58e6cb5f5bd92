//go:build !linux

package main

// adviseHugePages does nothing off Linux: the advice it gives there
// (hugepages_linux.go) has no portable equivalent.
func adviseHugePages(int) (start, end uintptr) { return 0, 0 }
