package ibmsg

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseTimestampAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   time.Time
		offset int // seconds east of UTC
	}{
		{"2001-11-13T10:07:18.817-0800", time.Date(2001, 11, 13, 18, 7, 18, 817000000, time.UTC), -8 * 3600},
		{"2024-03-01T09:30:00.123456+0530", time.Date(2024, 3, 1, 4, 0, 0, 123456000, time.UTC), 5*3600 + 30*60},
		{"2024-03-01T09:30:00-0800", time.Date(2024, 3, 1, 17, 30, 0, 0, time.UTC), -8 * 3600},
		{"2024-03-01T09:30:00.000000+0000", time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC), 0},
		{"2024-03-01T09:30:00.1-0100", time.Date(2024, 3, 1, 10, 30, 0, 100000000, time.UTC), -3600},
		{"2024-03-01T09:30:00.123456789+0100", time.Date(2024, 3, 1, 8, 30, 0, 123456789, time.UTC), 3600},
	}
	for _, tt := range tests {
		got, err := ParseTimestamp(tt.in)
		if err != nil {
			t.Errorf("ParseTimestamp(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseTimestamp(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if _, off := got.Zone(); off != tt.offset {
			t.Errorf("ParseTimestamp(%q) offset %d, want %d", tt.in, off, tt.offset)
		}
		if !LooksLikeTimestamp(tt.in) {
			t.Errorf("LooksLikeTimestamp(%q) = false", tt.in)
		}
	}
}

func TestParseTimestampRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		missing bool     // errors.Is ErrMissingOffset
		mention []string // the message must say
		looks   bool     // LooksLikeTimestamp
	}{
		{in: "2024-03-01T09:30:00.000000", missing: true, mention: []string{"±hhmm"}, looks: true},
		{in: "2024-03-01T09:30:00", missing: true, looks: true},
		{in: "2024-03-01T09:30:00Z", mention: []string{`"Z"`, "±hhmm", "+0000"}, looks: true},
		{in: "2024-03-01T09:30:00.123456Z", mention: []string{`"Z"`, "±hhmm"}, looks: true},
		{in: "2024-03-01T09:30:00+08:00", mention: []string{`"+08:00"`, "±hhmm"}, looks: true},
		{in: "2024-03-01T09:30:00.5-08:00", mention: []string{`"-08:00"`, "±hhmm"}, looks: true},
		{in: "2024-03-01 09:30:00-0800", mention: []string{"CCYY-MM-DDTHH:MM:SS"}},
		{in: "2024-3-1T09:30:00-0800", mention: []string{"CCYY-MM-DDTHH:MM:SS"}},
		{in: "2024-03-01T09:30-0800", mention: []string{"CCYY-MM-DDTHH:MM:SS"}},
		{in: "2024-03-01T09:30:00.-0800"},
		{in: "2024-03-01T09:30:00.1234567890-0800"},
		{in: "2024-03-01T09:30:00+080"},
		{in: "2024-02-30T09:30:00-0800", looks: true},
		{in: "2024-03-01T25:30:00-0800", looks: true},
		{in: " 2024-03-01T09:30:00-0800"},
		{in: ""},
		{in: "yesterday"},
	}
	for _, tt := range tests {
		_, err := ParseTimestamp(tt.in)
		if err == nil {
			t.Errorf("ParseTimestamp(%q) accepted", tt.in)
			continue
		}
		if errors.Is(err, ErrMissingOffset) != tt.missing {
			t.Errorf("ParseTimestamp(%q): errors.Is(ErrMissingOffset) = %v, want %v (%v)", tt.in, !tt.missing, tt.missing, err)
		}
		for _, m := range tt.mention {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("ParseTimestamp(%q) error %q does not mention %q", tt.in, err, m)
			}
		}
		if got := LooksLikeTimestamp(tt.in); got != tt.looks {
			t.Errorf("LooksLikeTimestamp(%q) = %v, want %v", tt.in, got, tt.looks)
		}
	}
}

func TestFormatTimestamps(t *testing.T) {
	t.Parallel()
	pst := time.FixedZone("PST", -8*3600)
	ist := time.FixedZone("IST", 5*3600+30*60)
	tests := []struct {
		t          time.Time
		rowset     string
		orig       string
		roundTrips time.Time // what ParseTimestamp(rowset) gives
	}{
		{time.Date(2001, 11, 13, 10, 7, 18, 817123456, pst), "2001-11-13T10:07:18.817123-0800", "2001-11-13T10:07:18.817-0800", time.Date(2001, 11, 13, 10, 7, 18, 817123000, pst)},
		{time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC), "2024-03-01T09:30:00.000000+0000", "2024-03-01T09:30:00.000+0000", time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)},
		{time.Date(2024, 12, 31, 23, 59, 59, 999999999, ist), "2024-12-31T23:59:59.999999+0530", "2024-12-31T23:59:59.999+0530", time.Date(2024, 12, 31, 23, 59, 59, 999999000, ist)},
	}
	for _, tt := range tests {
		if got := FormatTimestamp(tt.t); got != tt.rowset {
			t.Errorf("FormatTimestamp(%v) = %q, want %q", tt.t, got, tt.rowset)
		}
		if got := FormatOrigTimestamp(tt.t); got != tt.orig {
			t.Errorf("FormatOrigTimestamp(%v) = %q, want %q", tt.t, got, tt.orig)
		}
		back, err := ParseTimestamp(tt.rowset)
		if err != nil || !back.Equal(tt.roundTrips) {
			t.Errorf("ParseTimestamp(FormatTimestamp) = %v, %v; want %v", back, err, tt.roundTrips)
		}
		if _, err := ParseTimestamp(FormatOrigTimestamp(tt.t)); err != nil {
			t.Errorf("ParseTimestamp(FormatOrigTimestamp): %v", err)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	good := map[string]time.Time{
		"1998-08-22": time.Date(1998, 8, 22, 0, 0, 0, 0, time.UTC),
		"2024-02-29": time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		"2023-12-31": time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC),
	}
	for in, want := range good {
		got, err := ParseDate(in)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]string{
		"2023-02-30":          "calendar",
		"2023-02-29":          "calendar",
		"2023-13-01":          "calendar",
		"2023-2-3":            "CCYY-MM-DD",
		"23-02-03":            "CCYY-MM-DD",
		"2023-02-03T00:00:00": "CCYY-MM-DD",
		"2023/02/03":          "CCYY-MM-DD",
		"":                    "CCYY-MM-DD",
	}
	for in, mention := range bad {
		_, err := ParseDate(in)
		if err == nil {
			t.Errorf("ParseDate(%q) accepted", in)
			continue
		}
		if !strings.Contains(err.Error(), mention) {
			t.Errorf("ParseDate(%q) error %q does not mention %q", in, err, mention)
		}
	}
}
