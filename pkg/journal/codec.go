package journal

import (
	"encoding/hex"
	"strings"
	"time"
)

// How values are stored (schema 2). Every message row is written twice
// (claim, outcome) and its key is indexed, so compact values are fewer
// pages to write per message: digests are stored as bytes, times as
// integers. Values of another form than psib writes (a key of the
// worklist, a digest that is not one) are stored as text, unchanged.

// keyPrefix starts the keys and ExternalMessageIDs psib derives from a
// digest: "psib-" and 40 hex digits.
const keyPrefix = "psib-"

// dbKey is a message key as stored: the 20 bytes of a "psib-" + 40
// lower-case hex key, else the key as text.
func dbKey(k string) any {
	if len(k) == len(keyPrefix)+40 && strings.HasPrefix(k, keyPrefix) {
		if b, ok := lowerHex(k[len(keyPrefix):]); ok {
			return b
		}
	}
	return k
}

// keyFromDB reverses dbKey.
func keyFromDB(v any) string {
	switch v := v.(type) {
	case []byte:
		return keyPrefix + hex.EncodeToString(v)
	case string:
		return v
	}
	return ""
}

// dbDigest is a hex SHA-256 as stored: its 32 bytes, else the text.
func dbDigest(s string) any {
	if len(s) == 64 {
		if b, ok := lowerHex(s); ok {
			return b
		}
	}
	return s
}

// digestFromDB reverses dbDigest.
func digestFromDB(v any) string {
	switch v := v.(type) {
	case []byte:
		return hex.EncodeToString(v)
	case string:
		return v
	}
	return ""
}

// lowerHex decodes s when it is lower-case hex (so that encoding the bytes
// gives s back), in one pass: it runs for every message written.
func lowerHex(s string) ([]byte, bool) {
	if len(s)%2 != 0 {
		return nil, false
	}
	b := make([]byte, len(s)/2)
	for i := range b {
		hi, lo := lowerNibbles[s[2*i]], lowerNibbles[s[2*i+1]]
		if hi|lo > 0xf {
			return nil, false
		}
		b[i] = hi<<4 | lo
	}
	return b, true
}

// lowerNibbles maps '0'-'9' and 'a'-'f' to their values, every other byte
// to 0xff. Read only.
var lowerNibbles = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "0123456789abcdef" {
		t[c] = byte(i)
	}
	return t
}()

// dbTime is a time as stored: microseconds since 1970 UTC, 0 for none.
func dbTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// timeFromDB reverses dbTime (in UTC).
func timeFromDB(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
