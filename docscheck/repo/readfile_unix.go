//go:build unix

package repo

import (
	"errors"
	"os"
	"syscall"
)

// readFile is os.ReadFile with fewer system calls. os.Open makes a file
// the runtime's poller may watch: two fcntl calls to set non-blocking
// mode, an epoll_ctl that a regular file refuses, two more fcntl calls to
// undo it. docscheck reads every page of a repository once, and for pages
// of a few KB those calls cost more than the read. The errors are the
// ones os.ReadFile returns.
func readFile(name string) ([]byte, error) {
	var fd int
	err := retryInterrupted(func() (err error) {
		fd, err = syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	defer syscall.Close(fd)
	size := 0
	var st syscall.Stat_t
	if retryInterrupted(func() error { return syscall.Fstat(fd, &st) }) == nil && st.Size > 0 && int64(int(st.Size)) == st.Size {
		size = int(st.Size)
	}
	// One byte more than the size, so that the read that ends the file
	// needs no second buffer, as in os.ReadFile.
	data := make([]byte, 0, max(size+1, 512))
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		var n int
		err := retryInterrupted(func() (err error) {
			n, err = syscall.Read(fd, data[len(data):cap(data)])
			return err
		})
		if err != nil {
			return nil, &os.PathError{Op: "read", Path: name, Err: err}
		}
		if n <= 0 {
			return data, nil
		}
		data = data[:len(data)+n]
	}
}

func retryInterrupted(call func() error) error {
	for {
		if err := call(); !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
