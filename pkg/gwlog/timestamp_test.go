package gwlog

import (
	"testing"
	"time"
)

func TestTimestamps(t *testing.T) {
	tests := []struct {
		line, match, want string // want: RFC 3339 in UTC, "" when not parsed
	}{
		{"Mon Mar 02 09:30:00.123 PST 2026 rest", "Mon Mar 02 09:30:00.123 PST 2026", "2026-03-02T17:30:00.123Z"},
		{"Sun Mar 01 09:30:00 CEST 2026", "Sun Mar 01 09:30:00 CEST 2026", "2026-03-01T07:30:00Z"},
		{"2026-03-02 14:20:00,001 INFO  [x] y", "2026-03-02 14:20:00,001", "2026-03-02T14:20:00.001Z"},
		{"2026-03-02T14:20:00.5-06:00 x", "2026-03-02T14:20:00.5-06:00", "2026-03-02T20:20:00.5Z"},
		{"2026-03-02 14:20:00 UTC x", "2026-03-02 14:20:00 UTC", "2026-03-02T14:20:00Z"},
		{"####<Mar 2, 2026 2:10:01,115 PM CST> <Info>", "Mar 2, 2026 2:10:01,115 PM CST", "2026-03-02T20:10:01.115Z"},
		{"[2026-03-02 14:20:00] x", "2026-03-02 14:20:00", "2026-03-02T14:20:00Z"},
		{"03/02/2026 14:05:11.482", "03/02/2026 14:05:11.482", "2026-03-02T14:05:11.482Z"},
		{"2026-03-02-14.05.11.482000 x", "2026-03-02-14.05.11.482000", "2026-03-02T14:05:11.482Z"},
		{"Time: Mon Mar 02 14:30:01.007 CST 2026", "Mon Mar 02 14:30:01.007 CST 2026", "2026-03-02T20:30:01.007Z"},
		{"Message-ID: <1.2.JavaMail>", "", ""},
		{"HttpListeningConnector: HTTP request received", "", ""},
		{"2026 was a year", "", ""},
		{"Monday is the day", "", ""},
	}
	for _, tt := range tests {
		got, n := matchLabeledTimestamp([]byte(tt.line))
		if got != tt.match || (n > 0) != (tt.match != "") {
			t.Errorf("match %q = %q (%d), want %q", tt.line, got, n, tt.match)
			continue
		}
		if tt.match == "" {
			continue
		}
		ts, ok := parseLogTime(got, time.UTC)
		if !ok {
			t.Errorf("parse %q failed", got)
			continue
		}
		if s := ts.UTC().Format(time.RFC3339Nano); s != tt.want {
			t.Errorf("parse %q = %s, want %s", got, s, tt.want)
		}
	}
	// Without a zone, a log time is in the given location.
	ny, err := time.LoadLocation("America/New_York")
	if err == nil {
		ts, _ := parseLogTime("2026-03-02 14:20:00", ny)
		if s := ts.UTC().Format(time.RFC3339); s != "2026-03-02T19:20:00Z" {
			t.Errorf("zone-less in New York: %s", s)
		}
	}
}
