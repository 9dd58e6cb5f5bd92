package mutant

// Generated mutants. Beside the curated catalog, `proofs mutants
// --generated` mutates the backend's Go code mechanically with the
// standard operators, to measure how many fresh bugs the proofs catch
// rather than how many listed ones.
//
// Why not an existing tool: gremlins (on the module proxy) mutates a
// package and judges each mutant by running `go test` on that package's
// own tests. Our judges are the end-to-end proofs, which build
// ./backend as a binary and start it as OS processes against Postgres; they
// are not tests of the mutated package, and gremlins has no way to run a
// different command per mutant, build a binary from the mutated tree, or
// pick the judges by which proofs' coverage reaches the mutated line. So
// this file is a small go/ast mutator, and the runner
// (proofs/runner/generated.go) applies, builds and judges.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Operators, as the report names them.
const (
	OpNegate      = "negate_condition"
	OpBoundary    = "shift_boundary"
	OpSwapCompare = "swap_comparison"
	OpSwapArith   = "swap_arithmetic"
	OpSwapLogic   = "swap_logical"
	OpConstant    = "change_constant"
	OpBool        = "flip_boolean"
	OpRemove      = "remove_statement"
	OpDropError   = "drop_error_check"
	OpSwapArgs    = "swap_arguments"
	OpEarlyReturn = "early_return"
)

// Generated is one mechanical change: replace the bytes [Start, End) of
// File with New.
type Generated struct {
	// ID is stable while the file does not change: file:line:col:operator
	// and a short hash of the replacement.
	ID       string
	File     string // relative to the repository root, slash separated
	Package  string // the folder, e.g. backend/worker
	Line     int
	Operator string
	// Change says what the change does, e.g. "< → <=".
	Change     string
	Start, End int
	New        string
	// Decl: the change is in a package-level constant or variable, which
	// has no statement of its own for coverage to count; it is judged by
	// the proofs that run any statement of its package.
	Decl bool
	// ReachLine is the line whose coverage tells whether the change runs:
	// Line itself, except in a case clause's expressions. Coverage counts a
	// case only when its body runs, yet its expressions are evaluated
	// whenever the switch is reached and no earlier case matched, so they are
	// judged by the proofs that reach the switch statement.
	ReachLine int
}

// Apply writes the mutated file under root (a scratch copy) and returns
// the original content, to put back afterwards.
func (g Generated) Apply(root string) ([]byte, error) {
	path := filepath.Join(root, filepath.FromSlash(g.File))
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if g.End > len(data) || g.Start > g.End {
		return nil, fmt.Errorf("mutant %s: %w (offsets past the end of the file)", g.ID, ErrStale)
	}
	mutated := append(append(append([]byte(nil), data[:g.Start]...), g.New...), data[g.End:]...)
	return data, os.WriteFile(path, mutated, 0o644)
}

// GenerateDirs mutates every non-test Go file under the given folders of
// root (e.g. "backend", "migrations"), skipping files with build
// constraints (they are not in the binary the proofs run) and logging
// calls. The result is sorted by ID.
func GenerateDirs(root string, dirs ...string) ([]Generated, error) {
	var out []Generated
	for _, d := range dirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && (e.Name() == "testdata" || strings.HasPrefix(e.Name(), ".")) {
				return filepath.SkipDir
			}
			if e.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			gs, err := GenerateFile(filepath.ToSlash(rel), src)
			if err != nil {
				return err
			}
			out = append(out, gs...)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// GenerateFile returns the mutants of one Go source file (rel is its path
// from the repository root). A file with a //go:build line has none.
func GenerateFile(rel string, src []byte) ([]Generated, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, rel, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") {
				return nil, nil
			}
		}
	}
	g := &generator{fset: fset, src: src, rel: rel}
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Body == nil {
			continue // constants and defaults at package level: see below
		}
		g.function(fn.Type, fn.Body)
	}
	// Package-level constants and variables (defaults, limits).
	for _, decl := range f.Decls {
		if gd, ok := decl.(*ast.GenDecl); ok && (gd.Tok == token.CONST || gd.Tok == token.VAR) {
			ast.Inspect(gd, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok {
					before := len(g.out)
					g.literal(lit)
					for i := before; i < len(g.out); i++ {
						g.out[i].Decl = true
					}
				}
				if _, ok := n.(*ast.FuncLit); ok {
					return false
				}
				return true
			})
		}
	}
	g.reachLines(f)
	return g.out, nil
}

// reachLines sets every mutant's ReachLine (see Generated).
func (g *generator) reachLines(f *ast.File) {
	type caseExprs struct{ start, end, switchLine int }
	var spans []caseExprs
	var switches []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			switches = switches[:len(switches)-1]
			return true
		}
		if cc, ok := n.(*ast.CaseClause); ok && len(cc.List) > 0 {
			for i := len(switches) - 1; i >= 0; i-- {
				if _, isSwitch := switches[i].(*ast.SwitchStmt); isSwitch || isTypeSwitch(switches[i]) {
					spans = append(spans, caseExprs{g.off(cc.List[0].Pos()), g.off(cc.Colon), g.fset.Position(switches[i].Pos()).Line})
					break
				}
			}
		}
		switches = append(switches, n)
		return true
	})
	for i := range g.out {
		m := &g.out[i]
		m.ReachLine = m.Line
		// The innermost span wins: a case expression can hold a function
		// literal with a switch of its own.
		best := -1
		for j, sp := range spans {
			if sp.start <= m.Start && m.Start < sp.end && (best < 0 || sp.start >= spans[best].start) {
				best = j
			}
		}
		if best >= 0 {
			m.ReachLine = spans[best].switchLine
		}
	}
}

func isTypeSwitch(n ast.Node) bool {
	_, ok := n.(*ast.TypeSwitchStmt)
	return ok
}

type generator struct {
	fset *token.FileSet
	src  []byte
	rel  string
	out  []Generated
}

func (g *generator) off(p token.Pos) int { return g.fset.Position(p).Offset }

func (g *generator) text(n ast.Node) string { return string(g.src[g.off(n.Pos()):g.off(n.End())]) }

func (g *generator) add(at token.Pos, op, change string, start, end int, repl string) {
	pos := g.fset.Position(at)
	h := sha256.Sum256([]byte(repl))
	g.out = append(g.out, Generated{
		ID:   fmt.Sprintf("%s:%d:%d:%s:%s", g.rel, pos.Line, pos.Column, op, hex.EncodeToString(h[:3])),
		File: g.rel, Package: filepath.ToSlash(filepath.Dir(g.rel)), Line: pos.Line, Operator: op, Change: change,
		Start: start, End: end, New: repl,
	})
}

// replaceNode replaces a whole node's text.
func (g *generator) replaceNode(n ast.Node, op, change, repl string) {
	g.add(n.Pos(), op, change, g.off(n.Pos()), g.off(n.End()), repl)
}

// function mutates one function body (and the function literals in it).
func (g *generator) function(typ *ast.FuncType, body *ast.BlockStmt) {
	if typ.Results == nil || len(typ.Results.List) == 0 {
		if len(body.List) > 0 {
			first := body.List[0]
			g.add(first.Pos(), OpEarlyReturn, "return at the start of the function", g.off(first.Pos()), g.off(first.Pos()), "return\n\t")
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			g.function(n.Type, n.Body)
			return false
		case *ast.CallExpr:
			if isLogCall(n) {
				return false
			}
			g.call(n)
		case *ast.BlockStmt:
			g.block(n)
		case *ast.CaseClause:
			g.stmts(n.Body)
		case *ast.CommClause:
			g.stmts(n.Body)
		case *ast.IfStmt:
			g.replaceNode(n.Cond, OpNegate, "negate the condition", "!("+g.text(n.Cond)+")")
		case *ast.ForStmt:
			if n.Cond != nil {
				g.replaceNode(n.Cond, OpNegate, "negate the loop condition", "!("+g.text(n.Cond)+")")
			}
		case *ast.BinaryExpr:
			g.binary(n)
		case *ast.BasicLit:
			g.literal(n)
		case *ast.Ident:
			if n.Name == "true" || n.Name == "false" {
				flip := map[string]string{"true": "false", "false": "true"}[n.Name]
				g.replaceNode(n, OpBool, n.Name+" → "+flip, flip)
			}
		}
		return true
	})
}

// block removes statements of a block one at a time, and drops error
// checks.
func (g *generator) block(b *ast.BlockStmt) { g.stmts(b.List) }

func (g *generator) stmts(list []ast.Stmt) {
	for _, s := range list {
		switch s := s.(type) {
		case *ast.IfStmt:
			if isErrCheck(s) {
				g.replaceNode(s, OpDropError, "drop the error check `if "+g.text(s.Cond)+"`", "")
			}
		case *ast.ExprStmt:
			if call, ok := s.X.(*ast.CallExpr); ok && !isLogCall(call) {
				g.replaceNode(s, OpRemove, "remove the call "+short(g.text(call.Fun)), "")
			}
		case *ast.AssignStmt:
			if (s.Tok == token.ASSIGN || s.Tok == token.ADD_ASSIGN || s.Tok == token.SUB_ASSIGN) && g.text(s.Lhs[0]) != "_" {
				g.replaceNode(s, OpRemove, "remove the assignment to "+short(g.text(s.Lhs[0])), "")
			}
		case *ast.IncDecStmt:
			g.replaceNode(s, OpRemove, "remove "+short(g.text(s)), "")
		case *ast.DeferStmt:
			if !isLogCall(s.Call) {
				g.replaceNode(s, OpRemove, "remove the deferred "+short(g.text(s.Call.Fun)), "")
			}
		case *ast.GoStmt:
			g.replaceNode(s, OpRemove, "remove the goroutine "+short(g.text(s.Call.Fun)), "")
		case *ast.SendStmt:
			g.replaceNode(s, OpRemove, "remove the send on "+short(g.text(s.Chan)), "")
		}
	}
}

// isErrCheck: `if err != nil { return ... }` (any variable compared with
// nil whose name ends in err or Err).
func isErrCheck(s *ast.IfStmt) bool {
	be, ok := s.Cond.(*ast.BinaryExpr)
	if !ok || be.Op != token.NEQ || s.Else != nil {
		return false
	}
	id, ok := be.X.(*ast.Ident)
	nilID, ok2 := be.Y.(*ast.Ident)
	if !ok || !ok2 || nilID.Name != "nil" || !strings.HasSuffix(strings.ToLower(id.Name), "err") {
		return false
	}
	if len(s.Body.List) == 0 {
		return false
	}
	_, ret := s.Body.List[len(s.Body.List)-1].(*ast.ReturnStmt)
	return ret
}

var swapCompare = map[token.Token]token.Token{token.LSS: token.GTR, token.GTR: token.LSS, token.LEQ: token.GEQ, token.GEQ: token.LEQ, token.EQL: token.NEQ, token.NEQ: token.EQL}
var boundary = map[token.Token]token.Token{token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR}
var swapArith = map[token.Token]token.Token{token.ADD: token.SUB, token.SUB: token.ADD, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL, token.SHL: token.SHR, token.SHR: token.SHL}
var swapLogic = map[token.Token]token.Token{token.LAND: token.LOR, token.LOR: token.LAND}

func (g *generator) binary(b *ast.BinaryExpr) {
	op := g.off(b.OpPos)
	end := op + len(b.Op.String())
	if isStringConcat(b) {
		return
	}
	for _, m := range []struct {
		name  string
		table map[token.Token]token.Token
	}{{OpBoundary, boundary}, {OpSwapCompare, swapCompare}, {OpSwapArith, swapArith}, {OpSwapLogic, swapLogic}} {
		if to, ok := m.table[b.Op]; ok {
			g.add(b.OpPos, m.name, b.Op.String()+" → "+to.String(), op, end, to.String())
		}
	}
}

// isStringConcat: a + with a string literal on either side is text, not
// arithmetic (messages, SQL); swapping it does not compile anyway.
func isStringConcat(b *ast.BinaryExpr) bool {
	for _, e := range []ast.Expr{b.X, b.Y} {
		if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			return true
		}
	}
	return false
}

func (g *generator) literal(lit *ast.BasicLit) {
	if lit.Kind != token.INT && lit.Kind != token.FLOAT {
		return
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(lit.Value, "_", ""), 64)
	if err != nil {
		return // hex, octal: leave them
	}
	switch {
	case v == 0:
		g.replaceNode(lit, OpConstant, "0 → 1", "1")
	case v == 1:
		g.replaceNode(lit, OpConstant, "1 → 0", "0")
		g.replaceNode(lit, OpConstant, "1 → 2", "2")
	default:
		if lit.Kind == token.INT {
			g.replaceNode(lit, OpConstant, lit.Value+" → "+lit.Value+"+1", "("+lit.Value+"+1)")
			g.replaceNode(lit, OpConstant, lit.Value+" → "+lit.Value+"/2", "("+lit.Value+"/2)")
		}
	}
}

// call swaps the first two arguments of a call with at least two
// (the build rejects the swaps whose types differ).
func (g *generator) call(c *ast.CallExpr) {
	if len(c.Args) < 2 || c.Ellipsis.IsValid() {
		return
	}
	a, b := c.Args[0], c.Args[1]
	ta, tb := g.text(a), g.text(b)
	if ta == tb {
		return
	}
	start, end := g.off(a.Pos()), g.off(b.End())
	between := string(g.src[g.off(a.End()):g.off(b.Pos())])
	g.add(a.Pos(), OpSwapArgs, "swap the arguments "+short(ta)+" and "+short(tb)+" of "+short(g.text(c.Fun)), start, end, tb+between+ta)
}

// logMethods are the slog methods whose calls only log.
var logMethods = map[string]bool{"Debug": true, "Info": true, "Warn": true, "Error": true, "Log": true, "LogAttrs": true,
	"DebugContext": true, "InfoContext": true, "WarnContext": true, "ErrorContext": true}

// isLogCall: a call of a logging method on something named like a logger
// (slog.Info, logger.Warn, s.cfg.Logger.Error). Logging is aside: the
// proofs check stable log messages only where the docs name them, which
// the curated mutants cover.
func isLogCall(c *ast.CallExpr) bool {
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok || !logMethods[sel.Sel.Name] {
		return false
	}
	var buf bytes.Buffer
	recv := sel.X
	for {
		switch x := recv.(type) {
		case *ast.Ident:
			buf.WriteString(x.Name)
			return strings.Contains(strings.ToLower(buf.String()), "log")
		case *ast.SelectorExpr:
			buf.WriteString(x.Sel.Name + ".")
			recv = x.X
		case *ast.CallExpr:
			recv = x.Fun
		default:
			return false
		}
	}
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
