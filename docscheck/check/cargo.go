package check

import "github.com/prodproof/prodproof/docscheck/command"

func (c *Checker) checkCargo(r *report, call command.Call, at locate) bool { return false }
