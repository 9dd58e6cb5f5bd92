//go:build !unix

package repo

import "os"

// readFile is os.ReadFile (readfile_unix.go explains the Unix version).
func readFile(name string) ([]byte, error) { return os.ReadFile(name) }
