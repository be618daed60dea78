package publish

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Target is where a batch goes: the gateway's base URL (never with user
// information) and the requesting and destination nodes.
type Target struct {
	URL, From, To string
}

// String is "URL FROM->TO", the journal's target column.
func (t Target) String() string {
	return t.URL + " " + t.From + "->" + t.To
}

// idPrefix starts every ExternalMessageID psib makes.
const idPrefix = "psib-"

// idHexDigits is how much of the hash an id keeps: 160 bits, 45
// characters with the prefix (PeopleSoft allows 70).
const idHexDigits = 40

func digest(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:idHexDigits]
}

// MessageID is the ExternalMessageID psib derives for a payload: "psib-"
// and 40 hex digits of a SHA-256 over the operation, the requesting and
// destination nodes and the payload's SHA-256. The same message to the
// same nodes always gets the same id, whatever the gateway URL (the same
// PeopleSoft system may be reached by several URLs), so a resend is
// recognized as a duplicate by the gateway.
func MessageID(operation string, t Target, payloadSHA256 string) string {
	return idPrefix + digest("psib-message-id/v1", operation, t.From, t.To, payloadSHA256)
}

// messageKey is the journal key of a message: like MessageID, but over the
// gateway URL too, so that the same batch sent to a test and then to a
// production gateway is two sets of messages. basis is "content:SHA" or
// "id:EXTERNALID" (an id the input gave).
func messageKey(operation string, t Target, basis string) string {
	return idPrefix + digest("psib-journal-key/v1", operation, strings.TrimRight(t.URL, "/"), t.From, t.To, basis)
}

// NewRandomID returns a fresh random ExternalMessageID ("psib-" and 40
// hex digits), for --new-id.
func NewRandomID() string {
	var b [idHexDigits / 2]byte
	_, _ = rand.Read(b[:])
	return idPrefix + hex.EncodeToString(b[:])
}
