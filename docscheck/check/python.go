package check

import "github.com/prodproof/prodproof/docscheck/command"

func (c *Checker) checkPythonModule(r *report, call command.Call, at locate) bool { return false }

func (c *Checker) checkPytest(r *report, call command.Call, at locate, args []command.Word) bool {
	return false
}
