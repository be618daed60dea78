package publish

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// TestResultJSONByHand: the hand-written line of a message without an
// error is exactly encoding/json's, whatever its strings and numbers.
func TestResultJSONByHand(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", "in.ndjson:12", "CHG_ASYNC_UTEST.v1", "q\"b\\s\n\r\t\b\f\x00\x1f", "é€𝄞\u2028\u2029", "\xff\xfe\xc3", "<a>&amp;</a>",
		"139c9365-cd09-4df8-a70b-ddfa7c75607f", "psib-0123456789abcdef0123456789abcdef01234567"}
	str := func() string {
		var b []byte
		for range rng.IntN(3) {
			b = append(b, pieces[rng.IntN(len(pieces))]...)
		}
		return string(b)
	}
	outcomes := []Outcome{OutcomeAccepted, OutcomeSkipped, OutcomeNotSent, OutcomeUnknown}
	durations := []time.Duration{0, time.Microsecond, 999 * time.Microsecond, time.Millisecond, 1234567 * time.Microsecond,
		time.Nanosecond * 1500, 90 * time.Minute, 1<<63 - 1}
	for i := range 2000 {
		r := &Result{Input: str(), Operation: str(), Outcome: outcomes[rng.IntN(len(outcomes))], TransactionID: str(),
			ExternalMessageID: str(), Attempts: rng.IntN(7), Duplicate: rng.IntN(2) == 0, Note: str(),
			JournalID: []int64{0, 1, rng.Int64()}[rng.IntN(3)], Duration: durations[rng.IntN(len(durations))]}
		if i%3 == 0 {
			r.Duration = time.Duration(rng.Int64N(int64(time.Hour)))
		}
		got, err := r.AppendJSON([]byte("kept"))
		if err != nil {
			t.Fatal(err)
		}
		want, err := marshalNoEscape(r.jsonValue())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, append([]byte("kept"), want...)) {
			t.Fatalf("%+v:\n got %s\nwant kept%s", r, got, want)
		}
	}
}

// TestResultJSONWithError: a failed message's line carries its error
// object (kind, message, HTTP status, IB status and its explanation).
func TestResultJSONWithError(t *testing.T) {
	st := &ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 10721}
	r := &Result{Input: "a.xml", Operation: "OP.v1", Outcome: OutcomeRejected, Err: errors.New("rejected"), Class: ClassRemote,
		HTTPStatus: 500, Status: st, Attempts: 1, Duration: 1500 * time.Microsecond}
	got, err := r.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{"input":"a.xml","operation":"OP.v1","outcome":"rejected","transaction_id":"","error":{"kind":"remote","message":"rejected","http_status":500,"status":{`,
		`"explanation":{"meaning":`, `,"external_message_id":"","attempts":1,"duration_ms":1.5}`} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("line %s\nlacks %s", got, want)
		}
	}
}
