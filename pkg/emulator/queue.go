package emulator

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"
)

// Message states of the async queue (as the Service Operations Monitor
// names them).
const (
	StatusNew  = "New"
	StatusDone = "Done"
)

// StoredMessage is an async message the emulator accepted.
type StoredMessage struct {
	TransactionID     string `json:"transaction_id"`
	Operation         string `json:"operation"`
	From              string `json:"from"`
	To                string `json:"to"`
	ExternalMessageID string `json:"external_message_id,omitempty"`
	Status            string `json:"status"`
	// Received counts arrivals, duplicates included: a message sent twice
	// with the same ExternalMessageID is stored once with Received 2.
	Received   int       `json:"received"`
	ReceivedAt time.Time `json:"received_at"`
	Bytes      int       `json:"bytes"`
	SHA256     string    `json:"sha256"`
	Payload    string    `json:"payload"`
}

// queue stores accepted async messages, suppresses duplicates by
// (From, ExternalMessageID), and moves messages from New to Done in the
// background, as the subscription side would.
type queue struct {
	mu      sync.Mutex
	msgs    []*StoredMessage
	byExt   map[string]*StoredMessage
	pending int
	idle    *sync.Cond
	work    chan *StoredMessage
	store   *os.File // nil: memory only
	done    chan struct{}
	wg      sync.WaitGroup
}

func newQueue(storePath string) (*queue, error) {
	q := &queue{byExt: map[string]*StoredMessage{}, work: make(chan *StoredMessage, 1024), done: make(chan struct{})}
	q.idle = sync.NewCond(&q.mu)
	if storePath != "" {
		if err := q.load(storePath); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(storePath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("emulator store: %w", err)
		}
		q.store = f
	}
	q.wg.Add(1)
	go q.run()
	return q, nil
}

// storeRecord is one line of the store file: a message as accepted, or a
// later change of its status or count.
type storeRecord struct {
	Msg    *StoredMessage `json:"msg,omitempty"`
	Txn    string         `json:"txn,omitempty"`
	Status string         `json:"status,omitempty"`
	Count  int            `json:"received,omitempty"`
}

func (q *queue) load(path string) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("emulator store: %w", err)
	}
	defer f.Close()
	byTxn := map[string]*StoredMessage{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 512<<20)
	line := 0
	for sc.Scan() {
		line++
		var r storeRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("emulator store %s:%d: %v (the file is not a psib emulator store; move it away to start empty)", path, line, err)
		}
		switch {
		case r.Msg != nil:
			q.msgs = append(q.msgs, r.Msg)
			byTxn[r.Msg.TransactionID] = r.Msg
			if r.Msg.ExternalMessageID != "" {
				q.byExt[r.Msg.From+"\x00"+r.Msg.ExternalMessageID] = r.Msg
			}
		case byTxn[r.Txn] != nil:
			if r.Status != "" {
				byTxn[r.Txn].Status = r.Status
			}
			if r.Count > 0 {
				byTxn[r.Txn].Received = r.Count
			}
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("emulator store %s: %w", path, err)
	}
	// Messages that were still New when the emulator stopped are processed
	// again, as a restarted dispatcher would.
	for _, m := range q.msgs {
		if m.Status == StatusNew {
			q.pending++
			select {
			case q.work <- m:
			default:
				m.Status = StatusDone
				q.pending--
			}
		}
	}
	return nil
}

func (q *queue) persist(r storeRecord) {
	if q.store == nil {
		return
	}
	b, _ := json.Marshal(r)
	_, _ = q.store.Write(append(b, '\n'))
}

// accept stores c's message, or finds the one it duplicates.
func (q *queue) accept(c *Call, txid string) (*StoredMessage, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if c.ExternalMessageID != "" {
		if m, ok := q.byExt[c.From+"\x00"+c.ExternalMessageID]; ok {
			m.Received++
			q.persist(storeRecord{Txn: m.TransactionID, Count: m.Received})
			return m, true
		}
	}
	sum := sha256.Sum256(c.Payload)
	m := &StoredMessage{TransactionID: txid, Operation: c.Operation, From: c.From, To: c.To, ExternalMessageID: c.ExternalMessageID,
		Status: StatusNew, Received: 1, ReceivedAt: c.Received, Bytes: len(c.Payload), SHA256: hex.EncodeToString(sum[:]), Payload: string(c.Payload)}
	q.msgs = append(q.msgs, m)
	if c.ExternalMessageID != "" {
		q.byExt[c.From+"\x00"+c.ExternalMessageID] = m
	}
	q.persist(storeRecord{Msg: m})
	q.pending++
	select {
	case q.work <- m:
	default:
		// The dispatcher is behind: finish it here rather than block the
		// acknowledgement.
		m.Status = StatusDone
		q.pending--
		q.persist(storeRecord{Txn: m.TransactionID, Status: StatusDone})
	}
	return m, false
}

func (q *queue) run() {
	defer q.wg.Done()
	for {
		select {
		case m := <-q.work:
			q.mu.Lock()
			m.Status = StatusDone
			q.persist(storeRecord{Txn: m.TransactionID, Status: StatusDone})
			q.pending--
			if q.pending == 0 {
				q.idle.Broadcast()
			}
			q.mu.Unlock()
		case <-q.done:
			return
		}
	}
}

// flush waits until every accepted message has been processed.
func (q *queue) flush() {
	q.mu.Lock()
	for q.pending > 0 {
		q.idle.Wait()
	}
	q.mu.Unlock()
}

// snapshot returns copies of the stored messages, oldest first.
func (q *queue) snapshot() []StoredMessage {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]StoredMessage, len(q.msgs))
	for i, m := range q.msgs {
		out[i] = *m
	}
	return out
}

func (q *queue) close() error {
	close(q.done)
	q.wg.Wait()
	if q.store != nil {
		return q.store.Close()
	}
	return nil
}
