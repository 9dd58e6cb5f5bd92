// Package job is the backend's domain: a job, its states, its id, and the
// fault-injection instructions a payload may carry for the proofs.
package job

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync/atomic"
	"time"
)

// Status is where a job is in its life.
type Status string

const (
	Pending    Status = "pending"
	Processing Status = "processing"
	Processed  Status = "processed"
	Failed     Status = "failed"
)

// ID is a job's UUID. pgx scans a uuid column into it directly.
type ID [16]byte

// ErrInvalidID is returned by ParseID for anything but a canonical UUID.
var ErrInvalidID = errors.New("invalid job id")

// NewID returns a new job id: a time-ordered (version 7, RFC 9562) UUID,
// so ids made later sort after earlier ones, as bytes and as text.
//
// Why time-ordered: every update of a job that changes its status is not
// HOT (status is in every partial index's predicate), so it adds a
// primary-key entry next to the job's id. A worker claims and completes
// jobs oldest first, so with time-ordered ids a batch's probes and new
// entries share a few neighbouring leaves of the primary key, and its rows
// a few heap pages; with random ids each goes to a leaf of its own anywhere
// in the index, and the rows are fetched page after random page. At
// 1,000,000 jobs time-ordered ids took 14-21 % less Postgres CPU per job,
// and a third of the autovacuum (docs/benchmarks.md, "time-ordered job
// ids"). The id carries its creation time to the millisecond, which
// created_at shows anyway, and 62 random bits.
func NewID() ID { return ids.at(time.Now()) }

// ids makes the ids of this process.
var ids idClock

// idClock makes version 7 ids that strictly increase. last is the time
// stamp (Unix milliseconds << 12 | sub-millisecond fraction) of the last id
// it made.
type idClock struct{ last atomic.Int64 }

// at makes the id of time now. Its stamp is the 48 bits of Unix
// milliseconds and 12 bits of the fraction of the millisecond (RFC 9562,
// section 6.2, method 3); when that is not after the previous id's stamp
// (two ids in the same 244 ns, or a clock stepped back) it takes the
// previous stamp plus one, so the ids of one process strictly increase.
func (c *idClock) at(now time.Time) ID {
	stamp := now.UnixMilli()<<12 | int64(now.Nanosecond()%1e6)*4096/1e6
	for {
		last := c.last.Load()
		if stamp <= last {
			stamp = last + 1
		}
		if c.last.CompareAndSwap(last, stamp) {
			break
		}
	}
	var id ID
	// crypto/rand.Read never fails on supported platforms.
	_, _ = rand.Read(id[8:])
	// Bytes 0-5 the milliseconds, 6-7 the version and the fraction.
	binary.BigEndian.PutUint64(id[0:8], uint64(stamp>>12)<<16)
	id[6] = 0x70 | byte(stamp>>8)&0x0f
	id[7] = byte(stamp)
	id[8] = id[8]&0x3f | 0x80
	return id
}

// ParseID accepts only the canonical 36-character hyphenated form, in either
// case. Braces, URNs and bare hex are rejected so that one job has one URL.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, ErrInvalidID
	}
	hexDigits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(id[:], []byte(hexDigits)); err != nil {
		return ID{}, ErrInvalidID
	}
	return id, nil
}

func (id ID) String() string {
	var buf [36]byte
	hex.Encode(buf[0:8], id[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], id[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], id[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], id[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:36], id[10:16])
	return string(buf[:])
}

// IsZero reports whether id is the all-zero UUID, used for "no id".
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText makes an ID a JSON string.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses the canonical form.
func (id *ID) UnmarshalText(b []byte) error {
	parsed, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = parsed
	return nil
}

// Job is a job as the API shows it.
type Job struct {
	ID          ID              `json:"id"`
	Status      Status          `json:"status"`
	Attempts    int             `json:"attempts"`
	LastError   *string         `json:"last_error"`
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   Time            `json:"created_at"`
	UpdatedAt   Time            `json:"updated_at"`
	ProcessedAt *Time           `json:"processed_at"`
}

// Time renders as RFC 3339 in UTC with millisecond precision.
type Time struct{ time.Time }

// MarshalJSON writes RFC 3339 UTC.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format("2006-01-02T15:04:05.000Z07:00") + `"`), nil
}

// UnmarshalJSON reads any RFC 3339 time.
func (t *Time) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	parsed, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	t.Time = parsed
	return nil
}

// Claim is a job as a worker receives it: enough to run it and to prove,
// when completing it, that the claim is still the current one.
type Claim struct {
	ID       ID
	Attempts int // the attempt this claim is (1 for the first claim)
	Payload  json.RawMessage
}

// Outcome is the result of running one claim.
type Outcome struct {
	ID       ID
	Attempts int
	// Err is nil on success; otherwise its text becomes last_error.
	Err error
}
