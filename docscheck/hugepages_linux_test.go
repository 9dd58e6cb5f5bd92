package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestAdviseHugePagesAdvisesTheHeapItReuses: the range adviseHugePages
// returns is marked for huge pages in the kernel's view of the process
// (VmFlags "hg" in /proc/self/smaps), and the heap places new objects in
// it before it asks the system for more.
func TestAdviseHugePagesAdvisesTheHeapItReuses(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages:", err)
	}
	start, end := adviseHugePages(8 << 20)
	if start == 0 || end <= start {
		t.Fatalf("adviseHugePages(8 MB) advised nothing: [%#x, %#x)", start, end)
	}
	flags := vmFlagsAt(t, start)
	if !strings.Contains(" "+flags+" ", " hg ") {
		t.Fatalf("the mapping holding %#x has VmFlags %q, without hg (MADV_HUGEPAGE)", start, flags)
	}

	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	const object = 1 << 20
	var kept [][]byte
	for range stats.HeapSys/object + 1 {
		b := make([]byte, object)
		kept = append(kept, b)
		if at := uintptr(unsafe.Pointer(unsafe.SliceData(b))); at >= start && at < end {
			return
		}
	}
	t.Fatalf("%d objects of 1 MB, as many as the heap had room for, and none in the advised [%#x, %#x)", len(kept), start, end)
}

// vmFlagsAt returns the VmFlags line of the mapping holding address.
func vmFlagsAt(t *testing.T, address uintptr) string {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	inside := false
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		line := lines.Text()
		if lo, hi, ok := mappingRange(line); ok {
			inside = address >= lo && address < hi
			continue
		}
		if flags, ok := strings.CutPrefix(line, "VmFlags:"); ok && inside {
			return strings.TrimSpace(flags)
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("no mapping in /proc/self/smaps holds %#x", address)
	return ""
}

// mappingRange parses the first line of a mapping in smaps ("lo-hi perms
// offset dev inode path").
func mappingRange(line string) (lo, hi uintptr, ok bool) {
	span, _, found := strings.Cut(line, " ")
	from, to, dash := strings.Cut(span, "-")
	if !found || !dash {
		return 0, 0, false
	}
	l, err1 := strconv.ParseUint(from, 16, 64)
	h, err2 := strconv.ParseUint(to, 16, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return uintptr(l), uintptr(h), true
}
