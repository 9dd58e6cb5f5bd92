package check

import "github.com/prodproof/prodproof/docscheck/command"

// judgeEcosystem checks commands of package managers and build tools
// against their manifests (package.json, Cargo.toml, the Python tree). It
// reports whether it judged the call; false leaves it "not checked".
func (c *Checker) judgeEcosystem(r *report, call command.Call, at locate) bool {
	return false
}
