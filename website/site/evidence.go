package site

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/prodproof/prodproof/internal/report"
)

// Evidence kinds as used in report.Scenario.Files, with their default file
// names inside scenarios/NAME/.
var defaultEvidence = map[string]string{
	"events":  report.EventsFile,
	"health":  report.HealthFile,
	"db_rows": report.DBRowsFile,
	"log":     report.LogFile,
}

// evidenceFile is one evidence file of a scenario found in the report.
type evidenceFile struct {
	Kind string
	Src  string // path on disk
	Name string // file name inside the site's proofs/NAME/ folder
	Size int64
}

// findEvidence lists the scenario's evidence files that exist, sorted by
// kind. Paths from results.json must stay inside the report folder.
func findEvidence(reportDir, name string, files map[string]string) (map[string]evidenceFile, []string) {
	rel := map[string]string{}
	for kind, file := range defaultEvidence {
		rel[kind] = filepath.Join(report.ScenarioDir, name, file)
	}
	var warnings []string
	for kind, p := range files {
		if !filepath.IsLocal(filepath.FromSlash(p)) {
			warnings = append(warnings, fmt.Sprintf("evidence %q path %q leaves the report folder; ignored", kind, p))
			continue
		}
		rel[kind] = filepath.FromSlash(p)
	}
	out := map[string]evidenceFile{}
	for kind, p := range rel {
		src := filepath.Join(reportDir, p)
		info, err := os.Stat(src)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		out[kind] = evidenceFile{Kind: kind, Src: src, Name: filepath.Base(p), Size: info.Size()}
	}
	// Two kinds sharing a file name would overwrite each other in the site.
	seen := map[string]string{}
	for _, kind := range sortedKeys(out) {
		ev := out[kind]
		if other, dup := seen[ev.Name]; dup {
			ev.Name = kind + "-" + ev.Name
			warnings = append(warnings, fmt.Sprintf("evidence %q and %q share a file name; %q renamed", other, kind, kind))
			out[kind] = ev
		}
		seen[ev.Name] = kind
	}
	sort.Strings(warnings)
	return out, warnings
}

// readNDJSON reads one JSON value per line; a missing file is empty.
func readNDJSON[T any](path string) ([]T, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []T
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var v T
		if err := json.Unmarshal(line, &v); err != nil {
			return out, fmt.Errorf("%s:%d: %w", filepath.Base(path), i+1, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// logTail returns the last n lines of a log file and how many it has.
func logTail(path string, n int) (lines []string, total int, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) == 1 && all[0] == "" {
		return nil, 0, nil
	}
	if len(all) > n {
		return all[len(all)-n:], len(all), nil
	}
	return all, len(all), nil
}

// dbTable is one labelled set of DB rows, columns in the order first seen.
// Rows that are not a list of objects are shown as JSON in Raw instead.
type dbTable struct {
	Name    string
	Columns []string
	Rows    [][]dbCell
	Raw     string
}

type dbCell struct {
	Text string
	Null bool
}

// readDBRows reads db_rows.json: an object mapping a label ("jobs after
// recovery") to rows, as report.WriteScenario writes it. A label whose value is
// a list of objects (or one object) becomes a table; any other value, and a
// file that is not such an object, is shown as indented JSON.
func readDBRows(path string) ([]dbTable, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("%s is not valid JSON", filepath.Base(path))
	}
	labeled, err := report.ReadDBRows(path)
	if err != nil {
		return []dbTable{rawTable("rows", bytes.TrimSpace(data))}, nil
	}
	tables := make([]dbTable, 0, len(labeled))
	for _, l := range labeled {
		raw := l.Rows.(json.RawMessage)
		v := bytes.TrimSpace(raw)
		if len(v) > 0 && v[0] == '{' {
			v = append(append([]byte("["), v...), ']')
		}
		if t, ok := rowsTable(l.Label, v); ok {
			tables = append(tables, t)
		} else {
			tables = append(tables, rawTable(l.Label, raw))
		}
	}
	return tables, nil
}

func rawTable(name string, data []byte) dbTable {
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, bytes.TrimSpace(data), "", "  "); err != nil {
		return dbTable{Name: name, Raw: string(data)}
	}
	return dbTable{Name: name, Raw: pretty.String()}
}

// rowsTable reads a JSON array of objects as a table.
func rowsTable(name string, data json.RawMessage) (dbTable, bool) {
	var items []json.RawMessage
	if err := json.Unmarshal(data, &items); err != nil {
		return dbTable{}, false
	}
	t := dbTable{Name: name}
	col := map[string]int{}
	var rows []map[string]json.RawMessage
	for _, item := range items {
		keys, values, err := orderedObject(item)
		if err != nil {
			return dbTable{}, false
		}
		for _, k := range keys {
			if _, ok := col[k]; !ok {
				col[k] = len(t.Columns)
				t.Columns = append(t.Columns, k)
			}
		}
		rows = append(rows, values)
	}
	for _, values := range rows {
		row := make([]dbCell, len(t.Columns))
		for i, c := range t.Columns {
			v, ok := values[c]
			if !ok {
				row[i] = dbCell{Text: "", Null: true}
				continue
			}
			row[i] = jsonCell(v)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, true
}

func jsonCell(v json.RawMessage) dbCell {
	v = bytes.TrimSpace(v)
	if string(v) == "null" {
		return dbCell{Text: "null", Null: true}
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return dbCell{Text: s}
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, v); err != nil {
		return dbCell{Text: string(v)}
	}
	return dbCell{Text: compact.String()}
}

// orderedObject decodes a JSON object keeping its key order.
func orderedObject(data []byte) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errors.New("not an object")
	}
	var keys []string
	values := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, nil, errors.New("object key is not a string")
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		if _, dup := values[key]; !dup {
			keys = append(keys, key)
		}
		values[key] = v
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, err
	}
	return keys, values, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// copyFile copies src to dst.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
