package ibmsg

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// PeopleSoft writes every timestamp, in headers and bodies, as ISO 8601
// with a mandatory GMT offset: CCYY-MM-DDTHH:MM:SS.ssssss+/-hhmm.
const (
	// TimestampLayout is the rowset field layout (microseconds).
	TimestampLayout = "2006-01-02T15:04:05.000000-0700"
	// OrigTimestampLayout is the IBInfo OrigTimeStamp layout (milliseconds,
	// as in 2001-11-13T10:07:18.817-0800).
	OrigTimestampLayout = "2006-01-02T15:04:05.000-0700"
	// DateLayout is the DATE field layout.
	DateLayout = "2006-01-02"
)

// ErrMissingOffset is returned for a timestamp without its ±hhmm offset,
// which PeopleSoft requires even though ISO 8601 does not.
var ErrMissingOffset = errors.New("timestamp has no GMT offset (PeopleSoft requires ±hhmm, e.g. 2024-03-01T09:30:00.000000-0800)")

var timestampRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$`)

// ParseTimestamp parses a PeopleSoft timestamp. The fraction is optional
// (0 to 9 digits); the offset is required and must be ±hhmm.
func ParseTimestamp(s string) (time.Time, error) {
	m := timestampRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, fmt.Errorf("timestamp %q is not CCYY-MM-DDTHH:MM:SS[.ssssss]±hhmm", s)
	}
	switch off := m[4]; {
	case off == "":
		return time.Time{}, fmt.Errorf("timestamp %q: %w", s, ErrMissingOffset)
	case off == "Z" || len(off) == 6:
		return time.Time{}, fmt.Errorf("timestamp %q: offset %q must be written ±hhmm (e.g. +0000)", s, off)
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999-0700", m[1]+"T"+m[2]+m[3]+m[4])
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: %v", s, err)
	}
	return t, nil
}

// LooksLikeTimestamp reports whether s has the shape of a date-time
// (with or without a valid offset), for checks that must tell timestamps
// from other text.
func LooksLikeTimestamp(s string) bool { return timestampRE.MatchString(s) }

// FormatTimestamp formats t as PeopleSoft's rowset timestamp (microseconds
// and ±hhmm).
func FormatTimestamp(t time.Time) string { return t.Format(TimestampLayout) }

// FormatOrigTimestamp formats t as IBInfo's OrigTimeStamp (milliseconds).
func FormatOrigTimestamp(t time.Time) string { return t.Format(OrigTimestampLayout) }

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseDate parses a DATE field value: a real calendar date CCYY-MM-DD.
func ParseDate(s string) (time.Time, error) {
	if !dateRE.MatchString(s) {
		return time.Time{}, fmt.Errorf("date %q is not CCYY-MM-DD", s)
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is not a calendar date", s)
	}
	return t, nil
}
