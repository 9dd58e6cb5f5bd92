package main

import (
	"runtime"
	"syscall"
	"unsafe"
)

// hugePageSize is the size of a transparent huge page on the platforms Go
// runs Linux on (x86-64, arm64 with 4 KB base pages, and others).
const hugePageSize = 2 << 20

// adviseHugePages asks the kernel to back the next size bytes of the run's
// heap with huge pages, and returns the advised address range (for tests;
// empty when the advice could not be given).
//
// Why: most of a run's memory is fresh, and the kernel hands fresh memory
// over one 4 KB page at a time, each a page fault. On the virtual machines
// CI runs on a fault costs about 11 µs, and a run over 1,000 pages takes
// some 6,600 of them, a quarter or more of its CPU time. Where transparent
// huge pages are "madvise" (the default of many distributions), the Go
// runtime does not ask for them for its heap; one 2 MB fault serves 512
// small ones. So the run allocates one block of size bytes, which the
// runtime maps without touching it, advises it, and lets the collector
// take it back at once: the heap's next objects are placed in that range.
// Where huge pages are "never" the advice does nothing; where "always",
// the kernel already does the same.
func adviseHugePages(size int) (start, end uintptr) {
	block := make([]byte, size)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(block)))
	from := (base+hugePageSize-1)&^(hugePageSize-1) - base
	to := (base+uintptr(size))&^(hugePageSize-1) - base
	if to <= from {
		return 0, 0
	}
	if err := syscall.Madvise(block[from:to], syscall.MADV_HUGEPAGE); err != nil {
		// An old kernel, or one built without huge pages: the run works as
		// before.
		return 0, 0
	}
	// block is not used past this point, so the collection frees it.
	runtime.GC()
	return base + from, base + to
}
