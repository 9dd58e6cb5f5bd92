package api

import (
	"bytes"
	"encoding/json"
	"io"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// dbAccepts is the fuzz tests' model of what PostgreSQL accepts as a job
// payload: what `$1::text::jsonb` takes (UTF-8, JSON syntax, no \u0000,
// surrogate escapes in pairs, numbers within numeric's range), nested at
// most MaxPayloadDepth deep (the API's own limit, below the server's). It is
// written apart from ValidatePayload, with other means (encoding/json's
// tokenizer, regular expressions, math/big), so that the two can disagree;
// TestFuzzCorpusAgainstPostgres checks it against a real server.
func dbAccepts(body []byte) bool {
	if !utf8.Valid(body) || !json.Valid(body) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false
		}
		switch tok := tok.(type) {
		case json.Delim:
			if tok == '[' || tok == '{' {
				depth++
			} else {
				depth--
			}
			if depth > MaxPayloadDepth {
				return false
			}
		case json.Number:
			if !numericFits(string(tok)) {
				return false
			}
		}
	}
	for _, lit := range jsonStringLiteral.FindAll(body, -1) {
		if !escapesAccepted(lit) {
			return false
		}
	}
	return true
}

var (
	// In valid JSON, the leftmost matches of this are exactly the string
	// literals: no other token contains a quote.
	jsonStringLiteral = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	jsonEscape        = regexp.MustCompile(`\\(?:u([0-9a-fA-F]{4})|.)`)
	jsonNumberParts   = regexp.MustCompile(`^-?([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?$`)
)

// escapesAccepted: no \u0000, and every \uD800-\uDBFF escape immediately
// followed by a \uDC00-\uDFFF one (and no low half alone).
func escapesAccepted(lit []byte) bool {
	expectLowAt := -1 // offset where a low surrogate escape must start
	for _, m := range jsonEscape.FindAllSubmatchIndex(lit, -1) {
		start := m[0]
		if expectLowAt >= 0 && start != expectLowAt {
			return false
		}
		if m[2] < 0 { // not a \u escape
			if expectLowAt >= 0 {
				return false
			}
			continue
		}
		code, _ := strconv.ParseUint(string(lit[m[2]:m[3]]), 16, 32)
		switch {
		case code == 0:
			return false
		case code >= 0xDC00 && code <= 0xDFFF:
			if expectLowAt != start {
				return false
			}
			expectLowAt = -1
		case expectLowAt >= 0:
			return false
		case code >= 0xD800 && code <= 0xDBFF:
			expectLowAt = m[1]
		}
	}
	return expectLowAt < 0
}

// numericFits models PostgreSQL's numeric_in: an exponent below INT_MAX/2,
// at most 16383 digits after the point once the exponent is applied
// (trailing zeros count), and a value below 1e131072.
func numericFits(num string) bool {
	parts := jsonNumberParts.FindStringSubmatch(num)
	if parts == nil {
		return false
	}
	intPart, fracPart := parts[1], parts[2]
	exp := new(big.Int)
	if parts[3] != "" {
		exp.SetString(strings.TrimPrefix(parts[3], "+"), 10)
	}
	limit := big.NewInt(1<<30 - 1)
	if new(big.Int).Abs(exp).Cmp(limit) >= 0 {
		return false
	}
	scale := new(big.Int).Sub(big.NewInt(int64(len(fracPart))), exp)
	if scale.Cmp(big.NewInt(16383)) > 0 {
		return false
	}
	// The magnitude: 10^(weight) <= |value| < 10^(weight+1).
	var weight *big.Int
	if trimmed := strings.TrimLeft(intPart, "0"); trimmed != "" {
		weight = big.NewInt(int64(len(trimmed) - 1))
	} else if frac := strings.TrimLeft(fracPart, "0"); frac != "" {
		weight = big.NewInt(-int64(len(fracPart)-len(frac)) - 1)
	} else {
		return true // zero
	}
	weight.Add(weight, exp)
	return weight.Cmp(big.NewInt(131071)) <= 0
}
