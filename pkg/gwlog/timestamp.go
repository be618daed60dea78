package gwlog

import (
	"regexp"
	"strings"
	"time"
)

// Log-entry times: logs write them in many forms (Java's Date.toString,
// ISO 8601 with a comma or a dot before the fraction, WebLogic's
// "####<Mar 1, 2026 9:30:00,123 AM PST>", US dates). matchTimestamp finds
// one at the start of a line; parseLogTime turns it into a time when it can.

// One expression per family, chosen by the line's first character, so
// that most lines cost no regular expression at all.
var (
	// Java Date.toString, with or without milliseconds (Mon Mar 02
	// 09:30:00.123 PST 2026), is matched by matchJavaDate.
	// ISO 8601 / log4j (2026-03-01 09:30:00,123, 2026-03-01T09:30:00.123-08:00),
	// PeopleSoft timestamps (2026-03-01-09.30.00.123456), US dates (03/01/2026 09:30:00).
	numericDateRE = regexp.MustCompile(`^(?:\[|####<|<)?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?: ?(?:Z|[+-]\d\d:?\d\d)| (?:[A-Z]{1,4}T|UTC)\b)?` +
		`|\d{4}-\d\d-\d\d-\d\d\.\d\d\.\d\d(?:\.\d{1,9})?` +
		`|\d\d/\d\d/\d{4} \d\d:\d\d:\d\d(?:[.,]\d{1,9})?)`)
	// WebLogic / java.util.logging: Mar 1, 2026 9:30:00,123 AM PST
	monthDateRE = regexp.MustCompile(`^(?:\[|####<|<)?((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4},? \d{1,2}:\d\d:\d\d(?:[.,]\d{1,9})?(?: ?[AP]M)?(?: (?:[A-Z]{1,4}T|UTC)\b)?)`)
)

// matchTimestamp returns the timestamp that starts line and the length of
// the match (including a leading "[" or "####<" and a closing "]" or ">").
func matchTimestamp(line []byte) (string, int) {
	if len(line) < 14 {
		return "", 0
	}
	i := 0
	switch {
	case line[0] == '[' || line[0] == '<':
		i = 1
	case len(line) > 5 && string(line[:5]) == "####<":
		i = 5
	}
	c := line[i]
	var re *regexp.Regexp
	switch {
	case c >= '0' && c <= '9':
		if i+4 >= len(line) || !(line[i+2] == '/' || line[i+4] == '-') {
			return "", 0
		}
		re = numericDateRE
	case i+3 < len(line) && line[i+3] == ' ' && strings.IndexByte("MTWFS", c) >= 0 && isWeekday(line[i:i+3]):
		n := matchJavaDate(line[i:])
		if n == 0 {
			return "", 0
		}
		n += i
		ts := string(line[i:n])
		if n < len(line) && (line[n] == ']' || line[n] == '>') {
			n++
		}
		return ts, n
	case i+3 < len(line) && line[i+3] == ' ' && strings.IndexByte("JFMASOND", c) >= 0:
		re = monthDateRE
	default:
		return "", 0
	}
	m := re.FindSubmatchIndex(line)
	if m == nil {
		return "", 0
	}
	n := m[1]
	if n < len(line) && (line[n] == ']' || line[n] == '>') {
		n++
	}
	return string(line[m[2]:m[3]]), n
}

// matchJavaDate returns the length of the Java Date.toString time that
// starts b, or 0. It is the regular expression javaDateRE (in the tests)
// written out: the gateway's own logs start every entry with one
// (FuzzMatchJavaDate).
func matchJavaDate(b []byte) int {
	// "Mon Mar 02 09:30:00" at least, then " PST 2026".
	if len(b) < 19 || b[3] != ' ' || b[7] != ' ' || !isWeekday(b[:3]) || !isMonth(b[4:7]) {
		return 0
	}
	// The day: [ 0-3]?\d, the longer form first.
	for _, d := range [2]int{2, 1} {
		j := 8
		if d == 2 {
			if c := b[j]; c != ' ' && (c < '0' || c > '3') {
				continue
			}
			j++
		}
		if j >= len(b) || !isDigit(b[j]) {
			continue
		}
		if n := matchJavaClock(b, j+1); n > 0 {
			return n
		}
	}
	return 0
}

// matchJavaClock matches " 09:30:00(.123)? PST 2026" at b[j:] and returns
// where the match ends, or 0.
func matchJavaClock(b []byte, j int) int {
	const clock = " dd:dd:dd"
	if len(b) < j+len(clock) {
		return 0
	}
	for k := range len(clock) {
		if c := b[j+k]; clock[k] == 'd' && !isDigit(c) || clock[k] != 'd' && c != clock[k] {
			return 0
		}
	}
	j += len(clock)
	if j < len(b) && b[j] == '.' {
		// (?:\.\d{1,9})?: the fraction is kept only if a space follows.
		k := j + 1
		for k < len(b) && k-j <= 9 && isDigit(b[k]) {
			k++
		}
		if k > j+1 && k < len(b) && b[k] == ' ' {
			j = k
		}
	}
	// " [A-Za-z][A-Za-z0-9+:\-]{1,9} \d{4}"
	if j+1 >= len(b) || b[j] != ' ' || !isLetter(b[j+1]) {
		return 0
	}
	k := j + 2
	for k < len(b) && isZoneByte(b[k]) {
		k++
	}
	if n := k - (j + 1); n < 2 || n > 10 {
		return 0
	}
	if len(b) < k+5 || b[k] != ' ' || !isDigit(b[k+1]) || !isDigit(b[k+2]) || !isDigit(b[k+3]) || !isDigit(b[k+4]) {
		return 0
	}
	return k + 5
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isZoneByte(c byte) bool { return isAlnum(c) || c == '+' || c == ':' || c == '-' }

func isMonth(b []byte) bool {
	switch string(b) {
	case "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec":
		return true
	}
	return false
}

func isWeekday(b []byte) bool {
	switch string(b) {
	case "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return true
	}
	return false
}

var timeLabelRE = regexp.MustCompile(`^(?i:time|date|date/time|timestamp|logged|when)\s*:\s*`)

// matchLabeledTimestamp is matchTimestamp, also after a label such as
// "Time:" (errorLog entries label their fields).
func matchLabeledTimestamp(line []byte) (string, int) {
	if ts, n := matchTimestamp(line); n > 0 {
		return ts, n
	}
	if len(line) == 0 {
		return "", 0
	}
	switch line[0] | 0x20 {
	case 't', 'd', 'l', 'w':
		// The first letters of the labels (which have no other case forms).
	default:
		return "", 0
	}
	if m := timeLabelRE.FindIndex(line); m != nil {
		if ts, n := matchTimestamp(line[m[1]:]); n > 0 {
			return ts, m[1] + n
		}
	}
	return "", 0
}

// Zone abbreviations Java prints in Date.toString; an abbreviation not here
// is read as UTC (the log does not say more).
var zoneOffsets = map[string]int{
	"UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "IST": 1, "CET": 1, "MET": 1, "CEST": 2, "MEST": 2, "EET": 2, "EEST": 3,
	"MSK": 3, "AST": -4, "ADT": -3, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
	"PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}

var logTimeLayouts = []string{
	"Mon Jan 2 15:04:05.999999999 MST 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999 MST",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02-15.04.05.999999999",
	"Jan 2, 2006 3:04:05.999999999 PM MST",
	"Jan 2, 2006 3:04:05.999999999 PM",
	"Jan 2, 2006 15:04:05.999999999",
	"Jan 2, 2006, 3:04:05.999999999 PM MST",
	"Jan 2, 2006, 3:04:05.999999999 PM",
	"01/02/2006 15:04:05.999999999",
}

// parseLogTime reads a timestamp matchTimestamp found (or an IB timestamp
// such as OrigTimeStamp, or a MIME Date header). Zone abbreviations come
// from zoneOffsets; times without a zone are in loc (the gateway's local
// time, which psib can only assume is the reader's).
func parseLogTime(s string, loc *time.Location) (time.Time, bool) {
	hint := 0
	return parseLogTimeHint(s, &hint, loc)
}

// parseLogTimeHint is parseLogTime trying *hint's layout first (a log
// writes all its times alike) and remembering the one that worked.
func parseLogTimeHint(s string, hint *int, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	norm := s
	if strings.IndexByte(s, ',') >= 0 {
		// Fractions after a comma (log4j, WebLogic) parse like a dot.
		norm = commaFraction.ReplaceAllString(s, "$1.$2")
	}
	if strings.Contains(norm, "  ") {
		norm = strings.Join(strings.Fields(norm), " ")
	}
	if *hint >= 0 && *hint < len(logTimeLayouts) {
		if t, err := time.ParseInLocation(logTimeLayouts[*hint], norm, loc); err == nil {
			return fixZone(t), true
		}
	}
	for i, layout := range logTimeLayouts {
		t, err := time.ParseInLocation(layout, norm, loc)
		if err != nil {
			continue
		}
		*hint = i
		return fixZone(t), true
	}
	// IB timestamps (OrigTimeStamp: 2001-11-13T10:07:18.817-0800) and MIME
	// dates (Thu, 13 Dec 2001 10:07:24 -0800 (PST)).
	for _, layout := range []string{"2006-01-02T15:04:05.999999-0700", "Mon, 2 Jan 2006 15:04:05 -0700", time.RFC1123Z, time.RFC1123} {
		if t, err := time.Parse(layout, strings.TrimSpace(strings.Split(norm, " (")[0])); err == nil {
			return fixZone(t), true
		}
	}
	return time.Time{}, false
}

// logTimes parses the log-entry times of one log (parseLogTimeHint), and
// remembers the last: a busy log writes many entries within one second,
// whose times differ only in the fraction, and such a time is the last
// one moved by the difference (FuzzLogTimes), which costs far less than
// parsing it.
type logTimes struct {
	layout int // parseLogTimeHint's hint
	last   string
	t      time.Time
	ok     bool
}

func (c *logTimes) parse(s string, loc *time.Location) (time.Time, bool) {
	if c.last != "" && len(s) == len(c.last) {
		if s == c.last {
			return c.t, c.ok
		}
		if d, ok := fractionDelta(c.last, s); ok && c.ok {
			c.last, c.t = s, c.t.Add(d)
			return c.t, true
		}
	}
	t, ok := parseLogTimeHint(s, &c.layout, loc)
	c.last, c.t, c.ok = s, t, ok
	return t, ok
}

// fractionDelta reports whether a and b (of the same length) differ only
// in the digits of a fraction of a second written as ":ss.fff" or
// ":ss,fff", and by how much b is later.
func fractionDelta(a, b string) (time.Duration, bool) {
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	// The fraction's start: back over its digits to the '.' or ','.
	start := i
	for start > 0 && isDigit(a[start-1]) {
		start--
	}
	if start < 4 || a[start-1] != '.' && a[start-1] != ',' || !isDigit(a[start-2]) || !isDigit(a[start-3]) || a[start-4] != ':' {
		return 0, false
	}
	end := i
	for end < len(a) && isDigit(a[end]) && isDigit(b[end]) {
		end++
	}
	if end-start > 9 || a[end:] != b[end:] || end < len(a) && isDigit(a[end]) {
		return 0, false
	}
	fa, fb := 0, 0
	for k := start; k < end; k++ {
		fa, fb = fa*10+int(a[k]-'0'), fb*10+int(b[k]-'0')
	}
	for range 9 - (end - start) {
		fa, fb = fa*10, fb*10
	}
	return time.Duration(fb - fa), true
}

var commaFraction = regexp.MustCompile(`(\d\d:\d\d:\d\d),(\d)`)

// isAbbrevOnly reports whether t's location is the one time.Parse makes
// up for an abbreviation it does not know (its name is the abbreviation).
func isAbbrevOnly(t time.Time) bool {
	name, _ := t.Zone()
	return t.Location().String() == name
}

// fixZone gives a time parsed with an abbreviation Go does not know its
// offset from zoneOffsets.
func fixZone(t time.Time) time.Time {
	name, off := t.Zone()
	if off != 0 || !isAbbrevOnly(t) {
		// A known offset, or a time in a real location.
		return t
	}
	if h, ok := zoneOffsets[name]; ok && h != 0 {
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.FixedZone(name, h*3600))
	}
	return t
}
