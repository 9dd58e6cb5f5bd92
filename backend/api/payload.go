package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// MaxPayloadDepth is how deeply arrays and objects may nest in a job
// payload. PostgreSQL's JSON parser recurses once per level and stops at its
// stack limit (max_stack_depth, 2 MB by default: about 10,000 levels), so the
// API refuses well below that, with a message that says why.
const MaxPayloadDepth = 1000

// PostgreSQL's numeric limits, which bound every JSON number it reads
// (jsonb and the json operators convert numbers to numeric): at most 131072
// digits before the decimal point, at most 16383 after it (counting trailing
// zeros as written, after the exponent is applied), and an exponent below
// INT_MAX/2.
const (
	numericMaxWeight   = 131071 // decimal weight of the leading digit
	numericMaxScale    = 16383
	numericMaxExponent = 1<<30 - 1 // INT_MAX/2
)

// ValidatePayload accepts exactly one JSON value (surrounding whitespace
// allowed) that PostgreSQL can store and read back as JSON: valid UTF-8, no
// \u0000 escape (PostgreSQL text cannot hold NUL), UTF-16 surrogate escapes
// only in pairs, numbers within numeric's range, nested at most
// MaxPayloadDepth deep. Anything else would be refused by the database, or
// stored in a form its JSON operators then refuse to read. It is exported
// for the fuzz tests.
func ValidatePayload(body []byte) error {
	if len(body) == 0 {
		return errors.New("request body is empty; send a JSON value")
	}
	if !utf8.Valid(body) {
		return fmt.Errorf("request body is not valid UTF-8 (first bad byte at offset %d); JSON must be UTF-8", firstInvalidUTF8(body))
	}
	// The database's limits are checked first: encoding/json reports a
	// value nested deeper than its own limit as a syntax error.
	if err := checkDatabaseLimits(body); err != nil {
		return err
	}
	var v json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return fmt.Errorf("request body is not valid JSON: %s (at offset %d)", syn.Error(), syn.Offset)
		}
		return errors.New("request body is not valid JSON")
	}
	return nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// checkDatabaseLimits scans body once, as JSON tokens, for what PostgreSQL
// refuses in well-formed JSON: nesting, \u0000, unpaired surrogates and
// out-of-range numbers. Malformed JSON is left to the syntax check, so the
// scan only needs to be right where the JSON is well formed.
func checkDatabaseLimits(body []byte) error {
	depth := 0
	for i := 0; i < len(body); {
		switch c := body[i]; {
		case c == '[' || c == '{':
			depth++
			if depth > MaxPayloadDepth {
				return fmt.Errorf("request body is nested too deeply: more than %d levels of arrays and objects (at offset %d)", MaxPayloadDepth, i)
			}
			i++
		case c == ']' || c == '}':
			depth--
			i++
		case c == '"':
			end, err := checkString(body, i)
			if err != nil {
				return err
			}
			i = end
		case c == '-' || (c >= '0' && c <= '9'):
			end, err := checkNumber(body, i)
			if err != nil {
				return err
			}
			i = end
		default:
			i++
		}
	}
	return nil
}

// checkString checks the string literal starting at body[start] (the
// opening quote) and returns the offset just past it.
func checkString(body []byte, start int) (int, error) {
	pendingHigh := -1 // offset of a \uD800-\uDBFF escape awaiting its low half
	i := start + 1
	for i < len(body) {
		c := body[i]
		if c == '"' {
			i++
			break
		}
		if c != '\\' {
			if pendingHigh >= 0 {
				return 0, unpairedSurrogate(pendingHigh)
			}
			i++
			continue
		}
		if i+1 >= len(body) {
			return len(body), nil
		}
		if body[i+1] != 'u' {
			if pendingHigh >= 0 {
				return 0, unpairedSurrogate(pendingHigh)
			}
			i += 2
			continue
		}
		if i+6 > len(body) {
			return len(body), nil
		}
		code, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
		if err != nil {
			return i + 2, nil // malformed escape: the syntax check reports it
		}
		switch {
		case code == 0:
			return 0, fmt.Errorf(`request body contains \u0000 (at offset %d); the database cannot store a NUL character in JSON text`, i)
		case code >= 0xD800 && code <= 0xDBFF:
			if pendingHigh >= 0 {
				return 0, unpairedSurrogate(pendingHigh)
			}
			pendingHigh = i
		case code >= 0xDC00 && code <= 0xDFFF:
			if pendingHigh < 0 {
				return 0, unpairedSurrogate(i)
			}
			pendingHigh = -1
		default:
			if pendingHigh >= 0 {
				return 0, unpairedSurrogate(pendingHigh)
			}
		}
		i += 6
	}
	if pendingHigh >= 0 {
		return 0, unpairedSurrogate(pendingHigh)
	}
	return i, nil
}

func unpairedSurrogate(offset int) error {
	return fmt.Errorf(`request body contains an unpaired UTF-16 surrogate escape (at offset %d); \uD800-\uDBFF must be followed by \uDC00-\uDFFF`, offset)
}

// checkNumber checks the number starting at body[start] against
// PostgreSQL's numeric limits and returns the offset just past it.
func checkNumber(body []byte, start int) (int, error) {
	i := start
	if body[i] == '-' {
		i++
	}
	intStart := i
	for i < len(body) && isDigit(body[i]) {
		i++
	}
	intDigits := body[intStart:i]
	var fracDigits []byte
	if i < len(body) && body[i] == '.' {
		i++
		fracStart := i
		for i < len(body) && isDigit(body[i]) {
			i++
		}
		fracDigits = body[fracStart:i]
	}
	exponent := int64(0)
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		negative := false
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			negative = body[i] == '-'
			i++
		}
		for i < len(body) && isDigit(body[i]) {
			if exponent < numericMaxExponent {
				exponent = exponent*10 + int64(body[i]-'0')
			}
			i++
		}
		if exponent >= numericMaxExponent {
			return 0, numberOutOfRange(start)
		}
		if negative {
			exponent = -exponent
		}
	}
	if scale := int64(len(fracDigits)) - exponent; scale > numericMaxScale {
		return 0, numberOutOfRange(start)
	}
	// The decimal weight of the leading non-zero digit; zero has none.
	for k, d := range append(append([]byte{}, intDigits...), fracDigits...) {
		if d != '0' {
			if weight := int64(len(intDigits)-1-k) + exponent; weight > numericMaxWeight {
				return 0, numberOutOfRange(start)
			}
			break
		}
	}
	return i, nil
}

func numberOutOfRange(offset int) error {
	return fmt.Errorf("request body contains a number outside the database's numeric range (at offset %d): at most %d digits before the decimal point and %d after it", offset, numericMaxWeight+1, numericMaxScale)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
