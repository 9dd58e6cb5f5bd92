package pgprovision

import "fmt"

func fmtLine(format string, args ...any) string { return fmt.Sprintf(format, args...) }
