package worklist

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/journal"
)

// State is what psib knows of a create it sent.
type State string

// States of a journal entry.
const (
	// StatePending: written before the request is sent, and kept when no
	// answer came. The entry may exist.
	StatePending State = "pending"
	// StateAccepted: the gateway acknowledged the request (or answered
	// with the reply).
	StateAccepted State = "accepted"
	// StateRejected: the gateway or PeopleSoft answered with an error; no
	// entry was created by this request.
	StateRejected State = "rejected"
)

// Entry is the journal's record of one RequestMessageID.
type Entry struct {
	// Scope is the gateway and requesting node the create went to (see
	// Scope); entries of other scopes are never matched.
	Scope            string `json:"scope"`
	RequestMessageID string `json:"request_message_id"`
	// Fingerprint identifies the request's content (see Fingerprint).
	Fingerprint string `json:"fingerprint"`
	State       State  `json:"state"`
	// Operation is the create operation's external alias.
	Operation string `json:"operation"`
	// The keys GETWLINSTANCE needs, and the user, for status and wait.
	BusinessProcessName string `json:"business_process_name"`
	ActivityName        string `json:"activity_name"`
	EventName           string `json:"event_name"`
	WorklistName        string `json:"worklist_name"`
	OperatorID          string `json:"operator_id"`
	// IBTransactionID is the acknowledgement's transaction id.
	IBTransactionID string `json:"ib_transaction_id,omitempty"`
	// Error is the gateway's answer for a rejected create.
	Error string `json:"error,omitempty"`
	// Created is when the RequestMessageID was first recorded, Updated
	// when this record was written.
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Keys returns the GETWLINSTANCE request for the entry.
func (e *Entry) Keys() ibmsg.StatusRequest {
	return ibmsg.StatusRequest{WLKeys: ibmsg.WLKeys{RequestMessageID: e.RequestMessageID, BusinessProcessName: e.BusinessProcessName,
		ActivityName: e.ActivityName, EventName: e.EventName, WorklistName: e.WorklistName}}
}

// Journal remembers the creates psib sent, so that the same create is not
// sent twice by mistake. JournalOf keeps them in psib's journal.
type Journal interface {
	// Lookup returns the newest entry of scope for a RequestMessageID, nil
	// when there is none.
	Lookup(scope, requestID string) (*Entry, error)
	// Find returns the newest entry of scope for a fingerprint, nil when
	// there is none.
	Find(scope, fingerprint string) (*Entry, error)
	// Record stores e, superseding earlier records of its scope and
	// RequestMessageID. It returns once the record is on disk.
	Record(e Entry) error
}

// Scope names a gateway and requesting node for the journal: the base URL
// (without user information) and the node, e.g.
// "https://ib.example.edu/PSIGW PTEST".
func Scope(baseURL, from string) string { return baseURL + " " + from }

// Fingerprint identifies a create's content: the operation alias and every
// field except RequestMessageID (the field a resend may change). Pair
// names and values are compared exactly: PeopleSoft's names are
// case-sensitive.
func Fingerprint(action string, r *ibmsg.CreateRequest) string {
	b, _ := json.Marshal([]any{action, r.BusinessProcessName, r.ActivityName, r.EventName, r.WorklistName,
		r.OperatorID, r.OriginatorID, r.Priority, r.ApplicationData, r.AdditionalData})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// journalKeyPrefix starts the keys of worklist rows in psib's journal.
const journalKeyPrefix = "worklist "

// journalKeys is what a row's Input holds for a worklist create: the
// keys GETWLINSTANCE needs, as JSON.
type journalKeys struct {
	BusinessProcessName string `json:"business_process_name"`
	ActivityName        string `json:"activity_name"`
	EventName           string `json:"event_name"`
	WorklistName        string `json:"worklist_name"`
	OperatorID          string `json:"operator_id"`
}

// psibJournal keeps worklist creates in psib's journal (pkg/journal), the
// one publish writes, one row per RequestMessageID:
//
//	Key                "worklist " + scope + " " + RequestMessageID
//	Operation, Target  the create alias, the scope
//	ContentSHA256      the fingerprint
//	ExternalMessageID  the RequestMessageID (psib's journal lookups find it)
//	State              pending → in-flight, accepted, rejected
//	TransactionID      the acknowledgement's
//	LastError          the rejection
//	Input              the entry's keys, as JSON
type psibJournal struct {
	j *journal.Journal
}

// JournalOf returns a Journal that records in psib's journal j. Every
// Record waits for its commit.
func JournalOf(j *journal.Journal) Journal { return &psibJournal{j: j} }

func journalKey(scope, requestID string) string { return journalKeyPrefix + scope + " " + requestID }

// Record implements Journal: a Claim that always writes and waits for
// the commit.
func (p *psibJournal) Record(e Entry) error {
	state := journal.StateInFlight
	switch e.State {
	case StateAccepted:
		state = journal.StateAccepted
	case StateRejected:
		state = journal.StateRejected
	}
	keys, _ := json.Marshal(journalKeys{BusinessProcessName: e.BusinessProcessName, ActivityName: e.ActivityName,
		EventName: e.EventName, WorklistName: e.WorklistName, OperatorID: e.OperatorID})
	je := &journal.Entry{Key: journalKey(e.Scope, e.RequestMessageID), Operation: e.Operation, Target: e.Scope, Input: string(keys),
		ContentSHA256: e.Fingerprint, ExternalMessageID: e.RequestMessageID, State: state, TransactionID: e.IBTransactionID,
		LastError: e.Error}
	if state == journal.StateInFlight {
		je.SentAt = e.Updated
	}
	if state == journal.StateAccepted {
		je.AcceptedAt = e.Updated
	}
	// The decision always writes the row (insert or replace); Claim returns
	// after the commit: the record is down before the request goes.
	_, _, err := p.j.Claim(je, func(prior, e *journal.Entry) bool {
		if prior != nil {
			e.Attempts = prior.Attempts
			if e.SentAt.IsZero() {
				e.SentAt = prior.SentAt
			}
		}
		if e.State == journal.StateInFlight {
			e.Attempts++
		}
		return true
	})
	return err
}

// entry turns a worklist row back into an Entry; ok is false for rows
// that are not worklist creates.
func (p *psibJournal) entry(je *journal.Entry) (*Entry, bool) {
	if !strings.HasPrefix(je.Key, journalKeyPrefix) {
		return nil, false
	}
	var keys journalKeys
	_ = json.Unmarshal([]byte(je.Input), &keys)
	state := StatePending
	switch je.State {
	case journal.StateAccepted:
		state = StateAccepted
	case journal.StateRejected:
		state = StateRejected
	}
	return &Entry{Scope: je.Target, RequestMessageID: je.ExternalMessageID, Fingerprint: je.ContentSHA256, State: state,
		Operation: je.Operation, BusinessProcessName: keys.BusinessProcessName, ActivityName: keys.ActivityName,
		EventName: keys.EventName, WorklistName: keys.WorklistName, OperatorID: keys.OperatorID,
		IBTransactionID: je.TransactionID, Error: je.LastError, Created: je.CreatedAt, Updated: je.UpdatedAt}, true
}

// Lookup implements Journal with the journal's Find by key.
func (p *psibJournal) Lookup(scope, requestID string) (*Entry, error) {
	found, err := p.j.Find(context.Background(), journalKey(scope, requestID))
	if errors.Is(err, journal.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e, _ := p.entry(found[len(found)-1])
	return e, nil
}

// Find implements Journal: it scans the journal's rows (List streams them)
// for the newest worklist create of scope with the fingerprint.
func (p *psibJournal) Find(scope, fingerprint string) (*Entry, error) {
	var newest *Entry
	err := p.j.List(context.Background(), journal.Filter{}, func(je *journal.Entry) error {
		if je.Target == scope && je.ContentSHA256 == fingerprint {
			if e, ok := p.entry(je); ok {
				newest = e
			}
		}
		return nil
	})
	return newest, err
}
