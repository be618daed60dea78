package journal

import (
	"time"

	"github.com/psib-dev/psib/internal/jsonstr"
)

// marshal is json.Marshal without HTML escaping (errors and inputs may
// hold < and &).
func marshal(v any) ([]byte, error) { return jsonstr.AppendValue(nil, v) }

// jsonTime is a timestamp in JSON: RFC 3339 in UTC, or null when zero.
func jsonTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

// MarshalJSON writes the row with snake_case names: id, key, run_id,
// operation, target, input, content_sha256, bytes, external_message_id,
// state, transaction_id, attempts, http_status, duplicate, last_error,
// created_at, updated_at, sent_at, accepted_at (timestamps RFC 3339 UTC,
// null when not yet).
func (e *Entry) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		ID                int64   `json:"id"`
		Key               string  `json:"key"`
		RunID             int64   `json:"run_id"`
		Operation         string  `json:"operation"`
		Target            string  `json:"target"`
		Input             string  `json:"input"`
		ContentSHA256     string  `json:"content_sha256"`
		Bytes             int64   `json:"bytes"`
		ExternalMessageID string  `json:"external_message_id"`
		State             State   `json:"state"`
		TransactionID     string  `json:"transaction_id"`
		Attempts          int     `json:"attempts"`
		HTTPStatus        int     `json:"http_status"`
		Duplicate         bool    `json:"duplicate"`
		LastError         string  `json:"last_error"`
		CreatedAt         *string `json:"created_at"`
		UpdatedAt         *string `json:"updated_at"`
		SentAt            *string `json:"sent_at"`
		AcceptedAt        *string `json:"accepted_at"`
	}{e.ID, e.Key, e.RunID, e.Operation, e.Target, e.Input, e.ContentSHA256, e.Bytes, e.ExternalMessageID, e.State, e.TransactionID,
		e.Attempts, e.HTTPStatus, e.Duplicate, e.LastError, jsonTime(e.CreatedAt), jsonTime(e.UpdatedAt), jsonTime(e.SentAt), jsonTime(e.AcceptedAt)})
}

// MarshalJSON writes the run: id, started_at, finished_at (null while it
// runs), operation, target, command, state, and the counts total,
// accepted, rejected, failed, unknown, skipped, not_sent.
func (r *Run) MarshalJSON() ([]byte, error) {
	c := r.Counts
	return marshal(struct {
		ID         int64   `json:"id"`
		StartedAt  *string `json:"started_at"`
		FinishedAt *string `json:"finished_at"`
		Operation  string  `json:"operation"`
		Target     string  `json:"target"`
		Command    string  `json:"command"`
		State      string  `json:"state"`
		Total      int     `json:"total"`
		Accepted   int     `json:"accepted"`
		Rejected   int     `json:"rejected"`
		Failed     int     `json:"failed"`
		Unknown    int     `json:"unknown"`
		Skipped    int     `json:"skipped"`
		NotSent    int     `json:"not_sent"`
	}{r.ID, jsonTime(r.StartedAt), jsonTime(r.FinishedAt), r.Operation, r.Target, r.Command, r.State, c.Total, c.Accepted, c.Rejected,
		c.Failed, c.Unknown, c.Skipped, c.NotSent})
}
