package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// maxBatch bounds how many writes one transaction commits.
const maxBatch = 512

// linger is how long the writer waits for more writes when it holds only
// queued outcomes (nobody waiting for them). A commit costs far more than
// a row (it rewrites the pages it touched), so outcomes wait for company:
// the next claim, Flush or Close commits them sooner. An outcome lost to a
// crash in between leaves its row in-flight, which a re-run resends with
// the same ExternalMessageID (the gateway answers "duplicate").
const linger = 25 * time.Millisecond

const entryColumns = `id, key, run_id, operation, target, input, content_sha256, bytes, external_message_id, state,
	transaction_id, attempts, http_status, duplicate, last_error, created_at, updated_at, sent_at, accepted_at`

// stmts are the writer's prepared statements.
type stmts struct {
	byKey, idByKey, idRange, maxID, insert, update, outcome *sql.Stmt
	runInsert, runUpdate                                    *sql.Stmt
	// Multi-row forms, by row count (see rowChunks): one statement
	// writes many rows, which costs a fraction of one statement per row.
	insertRows, insertSharedRows, outcomeRows, outcomeSharedRows map[int]*sql.Stmt
}

func (s *stmts) close() {
	all := []*sql.Stmt{s.byKey, s.idByKey, s.idRange, s.maxID, s.insert, s.update, s.outcome, s.runInsert, s.runUpdate}
	for _, m := range []map[int]*sql.Stmt{s.insertRows, s.insertSharedRows, s.outcomeRows, s.outcomeSharedRows} {
		for _, st := range m {
			all = append(all, st)
		}
	}
	for _, st := range all {
		if st != nil {
			st.Close()
		}
	}
}

// insertColumns and outcomeColumns are the values one row binds in the
// multi-row statements; sharedColumns and outcomeSharedColumns in their
// shared forms, which bind the values common to all rows once.
const (
	insertColumns  = 18
	sharedColumns  = 5
	outcomeColumns = 9

	outcomeSharedColumns = 3
)

// rowChunks are the row counts of the prepared multi-row statements: a
// batch of n rows is written as chunks of these sizes, largest first.
var rowChunks = [...]int{128, 32, 8, 1}

// multiInsert returns the statement inserting n new rows at once (a key
// already there is skipped).
func (j *Journal) multiInsert(ctx context.Context, n int) (*sql.Stmt, error) {
	return j.multiRow(ctx, &j.stmts.insertRows, n, insertColumns, func(values string) string {
		return `INSERT INTO messages (key, run_id, operation, target, input, content_sha256, bytes, external_message_id, state,
		transaction_id, attempts, http_status, duplicate, last_error, created_at, updated_at, sent_at, accepted_at)
		VALUES ` + values + ` ON CONFLICT (key) DO NOTHING`
	})
}

// multiInsertShared is multiInsert for n rows that differ only in their
// key, input, content digest, size and ExternalMessageID (a fresh batch):
// the other values are bound once, first, then sharedColumns per row.
func (j *Journal) multiInsertShared(ctx context.Context, n int) (*sql.Stmt, error) {
	return j.multiRow(ctx, &j.stmts.insertSharedRows, n, sharedColumns, func(values string) string {
		return `INSERT INTO messages (run_id, operation, target, state, transaction_id, attempts, http_status, duplicate, last_error,
		created_at, updated_at, sent_at, accepted_at, key, input, content_sha256, bytes, external_message_id)
		SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, v.column1, v.column2, v.column3, v.column4, v.column5
		FROM (VALUES ` + values + `) AS v WHERE true ON CONFLICT (key) DO NOTHING`
	})
}

// multiOutcome returns the statement writing n outcomes at once (UPDATE
// ... FROM a VALUES list; the ids must be distinct).
func (j *Journal) multiOutcome(ctx context.Context, n int) (*sql.Stmt, error) {
	return j.multiRow(ctx, &j.stmts.outcomeRows, n, outcomeColumns, func(values string) string {
		return `WITH v(id, state, transaction_id, attempts, http_status, duplicate, last_error, updated_at, accepted_at) AS (VALUES ` +
			values + `)
		UPDATE messages SET state = v.state, transaction_id = v.transaction_id, attempts = v.attempts, http_status = v.http_status,
		duplicate = v.duplicate, last_error = v.last_error, updated_at = v.updated_at, accepted_at = v.accepted_at
		FROM v WHERE messages.id = v.id`
	})
}

// multiOutcomeShared is multiOutcome for n outcomes that differ only in
// transaction id and accepted time: the rows' ids and those values are
// bound first, outcomeSharedColumns per row, then the other values once.
func (j *Journal) multiOutcomeShared(ctx context.Context, n int) (*sql.Stmt, error) {
	return j.multiRow(ctx, &j.stmts.outcomeSharedRows, n, outcomeSharedColumns, func(values string) string {
		return `WITH v(id, transaction_id, accepted_at) AS (VALUES ` + values + `)
		UPDATE messages SET transaction_id = v.transaction_id, accepted_at = v.accepted_at,
		state = ?, attempts = ?, http_status = ?, duplicate = ?, last_error = ?, updated_at = ?
		FROM v WHERE messages.id = v.id`
	})
}

// multiRow returns cache's statement for n rows of cols values each,
// preparing it on first use from query, given the VALUES list.
func (j *Journal) multiRow(ctx context.Context, cache *map[int]*sql.Stmt, n, cols int, query func(values string) string) (*sql.Stmt, error) {
	if st := (*cache)[n]; st != nil {
		return st, nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	st, err := j.conn.PrepareContext(ctx, query(strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")))
	if err != nil {
		return nil, err
	}
	if *cache == nil {
		*cache = map[int]*sql.Stmt{}
	}
	(*cache)[n] = st
	return st, nil
}

type opKind int

const (
	opClaim opKind = iota
	opRecord
	opRunStart
	opRunEnd
	opBarrier
	opClaimAll // ClaimAll's claims (in group), committed in one transaction
)

// op is one write waiting for the writer.
type op struct {
	kind   opKind
	e      *Entry
	decide func(prior, e *Entry) bool
	run    *Run
	group  []*op // opClaimAll: its claims

	prior   *Entry
	written bool
	done    chan error // nil: nobody waits (Record)
}

// start opens the writer's connection and goroutine on the first write.
func (j *Journal) start() error {
	var err error
	j.startOnce.Do(func() {
		ctx := context.Background()
		var conn *sql.Conn
		conn, err = j.db.Conn(ctx)
		if err != nil {
			err = j.wrap("open", err)
			return
		}
		var mode string
		if err = conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			conn.Close()
			err = j.wrap("open", err)
			return
		}
		prep := func(q string) *sql.Stmt {
			if err != nil {
				return nil
			}
			var st *sql.Stmt
			st, err = conn.PrepareContext(ctx, q)
			return st
		}
		j.stmts = stmts{
			byKey:   prep("SELECT " + entryColumns + " FROM messages WHERE key = ?"),
			idByKey: prep("SELECT id FROM messages WHERE key = ?"),
			idRange: prep("SELECT id, key FROM messages WHERE id > ? AND id <= ?"),
			maxID:   prep("SELECT coalesce(max(id), 0) FROM messages"),
			insert: prep(`INSERT INTO messages (key, run_id, operation, target, input, content_sha256, bytes, external_message_id, state,
				transaction_id, attempts, http_status, duplicate, last_error, created_at, updated_at, sent_at, accepted_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`),
			update: prep(`UPDATE messages SET run_id = ?, operation = ?, target = ?, input = ?, content_sha256 = ?, bytes = ?,
				external_message_id = ?, state = ?, transaction_id = ?, attempts = ?, http_status = ?, duplicate = ?, last_error = ?,
				updated_at = ?, sent_at = ?, accepted_at = ? WHERE id = ?`),
			outcome: prep(`UPDATE messages SET state = ?, transaction_id = ?, attempts = ?, http_status = ?, duplicate = ?, last_error = ?,
				updated_at = ?, accepted_at = ? WHERE id = ?`),
			runInsert: prep("INSERT INTO runs (started_at, operation, target, command, state) VALUES (?, ?, ?, ?, ?)"),
			runUpdate: prep(`UPDATE runs SET finished_at = ?, state = ?, total = ?, accepted = ?, rejected = ?, failed = ?, unknown = ?,
				skipped = ?, not_sent = ? WHERE id = ?`),
		}
		if err != nil {
			j.stmts.close()
			conn.Close()
			err = j.wrap("open", err)
			return
		}
		j.conn = conn
		j.ops = make(chan *op, maxBatch)
		j.writerEnd = make(chan struct{})
		if ck, cerr := j.db.Conn(ctx); cerr == nil {
			j.checkpoints = make(chan struct{}, 1)
			j.checkpointEnd = make(chan struct{})
			go j.checkpointer(ck)
		}
		go j.writer()
	})
	if err == nil && j.conn == nil {
		err = &Error{Path: j.path, Op: "write", Err: errors.New("the journal could not be opened for writing")}
	}
	return err
}

// submit queues o for the writer and, when o.done is set, waits for its
// commit.
func (j *Journal) submit(o *op) error {
	if err := j.start(); err != nil {
		return err
	}
	j.mu.RLock()
	if j.closed {
		j.mu.RUnlock()
		return &Error{Path: j.path, Op: "write", Err: errors.New("journal closed")}
	}
	j.ops <- o
	j.mu.RUnlock()
	if o.done == nil {
		return nil
	}
	return <-o.done
}

// writer commits queued writes: it takes all that are waiting (up to
// maxBatch), runs them in one transaction, then answers their callers.
func (j *Journal) writer() {
	defer close(j.writerEnd)
	batch := make([]*op, 0, maxBatch)
	var timer *time.Timer
	for first := range j.ops {
		batch = append(batch[:0], first)
		waited := first.done != nil // someone waits: commit without lingering
		lingering := false
	drain:
		for len(batch) < maxBatch {
			select {
			case o, ok := <-j.ops:
				if !ok {
					break drain
				}
				batch = append(batch, o)
				waited = waited || o.done != nil
				continue
			default:
			}
			if waited {
				break
			}
			// Only queued outcomes so far: linger a little, so that many
			// are committed at once (a transaction costs far more than a
			// row).
			if !lingering {
				lingering = true
				if timer == nil {
					timer = time.NewTimer(linger)
				} else {
					timer.Reset(linger)
				}
			}
			select {
			case o, ok := <-j.ops:
				if !ok {
					break drain
				}
				batch = append(batch, o)
				waited = o.done != nil
			case <-timer.C:
				lingering = false
				break drain
			}
		}
		if lingering {
			timer.Stop()
		}
		err := j.apply(batch)
		if err == nil && j.checkpoints != nil {
			for _, o := range batch {
				j.sinceWake += max(1, len(o.group)) // a ClaimAll writes a row per claim
			}
			if j.sinceWake >= j.checkpointRows {
				select {
				case j.checkpoints <- struct{}{}:
					j.sinceWake = 0
				default: // still copying: the next commit tries again
				}
			}
		}
		for _, o := range batch {
			if o.done != nil {
				o.done <- err
			} else if err != nil {
				j.setAsyncErr(err)
			}
		}
	}
}

// checkpointRows is how many committed row writes wake the checkpointer:
// about 2,048 messages, each written twice (claimed, then its outcome).
// Waking it every 1,024 or 4,096 messages was slower for a 10,000-message
// publish.
const checkpointRows = 4096

// checkpointer copies the write-ahead log into the database on a
// connection of its own while the writer goes on (a PASSIVE checkpoint
// takes no lock the writer waits for). Otherwise all of it happens in
// Close, when nothing else runs: syncing a log of a few MB to disk,
// copying it, removing it, 20 ms or 5% of a 10,000-message publish,
// most of it waiting for the disk. A log copied in full is also started
// over by the next commit, so it stays short.
func (j *Journal) checkpointer(conn *sql.Conn) {
	defer close(j.checkpointEnd)
	defer conn.Close()
	for range j.checkpoints {
		var busy, logFrames, copied int
		err := conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied)
		if err != nil {
			// Nothing to report here: a full disk or damage also fails
			// the writer's next commit, which reports it, and Close
			// copies what is left. Damage still marks the file.
			_ = j.wrap("checkpoint", err)
			continue
		}
		if j.checkpointed != nil {
			j.checkpointed(logFrames, copied)
		}
	}
}

func (j *Journal) setAsyncErr(err error) {
	j.errMu.Lock()
	defer j.errMu.Unlock()
	if j.asyncErr == nil {
		j.asyncErr = err
	}
}

func (j *Journal) asyncError() error {
	j.errMu.Lock()
	defer j.errMu.Unlock()
	return j.asyncErr
}

// apply runs a batch in one transaction; any failure rolls all of it back.
// Runs of claims and of outcomes are written with multi-row statements
// (applyClaims, applyOutcomes); the rest one by one, in order.
func (j *Journal) apply(ops []*op) error {
	ctx := context.Background()
	batch := make([]*op, 0, len(ops))
	for _, o := range ops {
		if o.kind == opClaimAll {
			batch = append(batch, o.group...)
		} else {
			batch = append(batch, o)
		}
	}
	if _, err := j.conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return j.wrap("write", err)
	}
	for i := 0; i < len(batch); {
		k := i + 1
		for k < len(batch) && batch[k].kind == batch[i].kind {
			k++
		}
		var err error
		switch run := batch[i:k]; batch[i].kind {
		case opClaim:
			err = j.applyClaims(ctx, run)
		case opRecord:
			err = j.applyOutcomes(ctx, run)
		default:
			for _, o := range run {
				if err = j.applyOne(ctx, o); err != nil {
					break
				}
			}
		}
		i = k
		if err != nil {
			_, _ = j.conn.ExecContext(ctx, "ROLLBACK")
			for _, o := range batch {
				if o.kind == opClaim && o.written && o.prior == nil {
					o.e.ID = 0
				}
				o.written = false
			}
			return j.wrap("write", err)
		}
	}
	if _, err := j.conn.ExecContext(ctx, "COMMIT"); err != nil {
		_, _ = j.conn.ExecContext(ctx, "ROLLBACK")
		return j.wrap("commit", err)
	}
	return nil
}

func (j *Journal) applyOne(ctx context.Context, o *op) error {
	now := j.now()
	switch o.kind {
	case opBarrier:
		return nil
	case opClaim:
		// Most claims are of new messages: try the insert first, and read
		// the row only when one is there already.
		if o.decide == nil || o.decide(nil, o.e) {
			if err := j.insertOne(ctx, o, now); err != nil || o.written {
				return err
			}
		}
		return j.claimExisting(ctx, o, now)
	case opRecord:
		if o.e.ID == 0 {
			return errors.New("journal: update of a message without an id")
		}
		o.e.UpdatedAt = now
		_, err := j.stmts.outcome.ExecContext(ctx, string(o.e.State), o.e.TransactionID, o.e.Attempts, o.e.HTTPStatus, o.e.Duplicate,
			o.e.LastError, dbTime(now), dbTime(o.e.AcceptedAt), o.e.ID)
		return err
	case opRunStart:
		res, err := j.stmts.runInsert.ExecContext(ctx, dbTime(o.run.StartedAt), o.run.Operation, o.run.Target, o.run.Command, o.run.State)
		if err != nil {
			return err
		}
		o.run.ID, err = res.LastInsertId()
		return err
	case opRunEnd:
		c := o.run.Counts
		_, err := j.stmts.runUpdate.ExecContext(ctx, dbTime(o.run.FinishedAt), o.run.State, c.Total, c.Accepted, c.Rejected, c.Failed,
			c.Unknown, c.Skipped, c.NotSent, o.run.ID)
		return err
	}
	return nil
}

// claimExisting is a claim whose insert found a row with its key (or that
// decide refused as new): decide again with that row, and update it.
func (j *Journal) claimExisting(ctx context.Context, o *op, now time.Time) error {
	prior, err := scanEntry(j.stmts.byKey.QueryRowContext(ctx, dbKey(o.e.Key)))
	if errors.Is(err, sql.ErrNoRows) {
		// Not there, yet decide refused a new row.
		return nil
	}
	if err != nil {
		return err
	}
	o.prior = prior
	if o.decide != nil && !o.decide(prior, o.e) {
		return nil
	}
	o.e.ID, o.e.CreatedAt, o.e.UpdatedAt = prior.ID, prior.CreatedAt, now
	_, err = j.stmts.update.ExecContext(ctx, o.e.RunID, o.e.Operation, o.e.Target, o.e.Input, dbDigest(o.e.ContentSHA256), o.e.Bytes,
		o.e.ExternalMessageID, string(o.e.State), o.e.TransactionID, o.e.Attempts, o.e.HTTPStatus, o.e.Duplicate, o.e.LastError,
		dbTime(now), dbTime(o.e.SentAt), dbTime(o.e.AcceptedAt), o.e.ID)
	if err != nil {
		return err
	}
	o.written = true
	return nil
}

// applyClaims writes a run of claims as applyOne would, one after the
// other. Claims decide accepts as new are inserted with multi-row
// statements (insertClaims); one it refuses as new splits the run, so
// that it sees exactly the rows written before it.
func (j *Journal) applyClaims(ctx context.Context, run []*op) error {
	now := j.now()
	start := 0
	for i, o := range run {
		if o.decide == nil || o.decide(nil, o.e) {
			continue
		}
		if err := j.insertClaims(ctx, run[start:i], now); err != nil {
			return err
		}
		if err := j.claimExisting(ctx, o, now); err != nil {
			return err
		}
		start = i + 1
	}
	return j.insertClaims(ctx, run[start:], now)
}

// insertClaims inserts claims that decide accepted as new, many rows per
// statement; then, in their order, those whose key was there already (or
// earlier in seg) see that row (claimExisting), as one by one.
//
// New rows get the ids after the largest one, in the order of the VALUES
// (SQLite's rowid rule while the largest id is below the maximum; the
// writer holds the write lock): a chunk inserted whole has ids
// largest+1..largest+n, which is checked on its first row. Of a chunk
// where some keys were there already (or twice), the new rows are read
// back by that id range, each taken by the first claim of its key. Near
// the maximum id SQLite picks ids at random: rows are then inserted one
// by one, each with its own id.
func (j *Journal) insertClaims(ctx context.Context, seg []*op, now time.Time) error {
	if len(seg) == 0 {
		return nil
	}
	var largest int64
	if err := j.stmts.maxID.QueryRowContext(ctx).Scan(&largest); err != nil {
		return err
	}
	if largest > math.MaxInt64-int64(len(seg)) {
		for _, o := range seg {
			if err := j.insertOne(ctx, o, now); err != nil {
				return err
			}
		}
		return j.claimRest(ctx, seg, now)
	}
	args := make([]any, 0, rowChunks[0]*insertColumns)
	for rest := seg; len(rest) > 0; {
		n := chunkSize(len(rest))
		chunk := rest[:n]
		rest = rest[n:]
		var st *sql.Stmt
		var err error
		st, args, err = j.insertChunk(ctx, chunk, now, args[:0])
		if err != nil {
			return err
		}
		res, err := st.ExecContext(ctx, args...)
		if err != nil {
			return err
		}
		added, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if added == 0 {
			continue
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if last != largest+added {
			return fmt.Errorf("journal: %d new rows got ids up to %d, not %d..%d", added, last, largest+1, largest+added)
		}
		if added == int64(n) {
			var first int64
			if err := j.stmts.idByKey.QueryRowContext(ctx, dbKey(chunk[0].e.Key)).Scan(&first); err != nil {
				return err
			}
			if first != largest+1 {
				return fmt.Errorf("journal: the first new row got id %d, not %d", first, largest+1)
			}
			for i, o := range chunk {
				o.e.ID, o.written = largest+1+int64(i), true
			}
		} else if err := j.takeInserted(ctx, chunk, largest, last); err != nil {
			return err
		}
		largest = last
	}
	return j.claimRest(ctx, seg, now)
}

// claimRest lets the claims of seg that inserted no row see the row with
// their key, in order (claimExisting).
func (j *Journal) claimRest(ctx context.Context, seg []*op, now time.Time) error {
	for _, o := range seg {
		if o.written {
			continue
		}
		if err := j.claimExisting(ctx, o, now); err != nil {
			return err
		}
	}
	return nil
}

// insertOne inserts o's row alone, if its key is new.
func (j *Journal) insertOne(ctx context.Context, o *op, now time.Time) error {
	e := o.e
	e.CreatedAt, e.UpdatedAt = now, now
	res, err := j.stmts.insert.ExecContext(ctx, appendClaimArgs(nil, e, dbTime(now))...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return err
	}
	e.ID, err = res.LastInsertId()
	o.written = err == nil
	return err
}

// insertChunk returns the statement inserting chunk's rows and its
// arguments (appended to args): the shared form when the rows differ only
// in the values each message has of its own.
func (j *Journal) insertChunk(ctx context.Context, chunk []*op, now time.Time, args []any) (*sql.Stmt, []any, error) {
	stamp := dbTime(now)
	for _, o := range chunk {
		o.e.CreatedAt, o.e.UpdatedAt = now, now
	}
	first := chunk[0].e
	if allLike(chunk, sameClaimShared) {
		st, err := j.multiInsertShared(ctx, len(chunk))
		if err != nil {
			return nil, nil, err
		}
		args = append(args, first.RunID, first.Operation, first.Target, string(first.State), first.TransactionID, first.Attempts,
			first.HTTPStatus, first.Duplicate, first.LastError, stamp, stamp, dbTime(first.SentAt), dbTime(first.AcceptedAt))
		for _, o := range chunk {
			e := o.e
			args = append(args, dbKey(e.Key), e.Input, dbDigest(e.ContentSHA256), e.Bytes, e.ExternalMessageID)
		}
		return st, args, nil
	}
	st, err := j.multiInsert(ctx, len(chunk))
	if err != nil {
		return nil, nil, err
	}
	for _, o := range chunk {
		args = appendClaimArgs(args, o.e, stamp)
	}
	return st, args, nil
}

// appendClaimArgs appends a new row's values for the full insert forms (in
// insertColumns order), created and updated at stamp.
func appendClaimArgs(args []any, e *Entry, stamp int64) []any {
	return append(args, dbKey(e.Key), e.RunID, e.Operation, e.Target, e.Input, dbDigest(e.ContentSHA256), e.Bytes,
		e.ExternalMessageID, string(e.State), e.TransactionID, e.Attempts, e.HTTPStatus, e.Duplicate, e.LastError, stamp, stamp,
		dbTime(e.SentAt), dbTime(e.AcceptedAt))
}

// takeInserted marks the claims of chunk whose rows the chunk's statement
// inserted, the rows with ids in (after, last]: each is taken by the first
// claim of its key.
func (j *Journal) takeInserted(ctx context.Context, chunk []*op, after, last int64) error {
	rows, err := j.stmts.idRange.QueryContext(ctx, after, last)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var stored any
		if err := rows.Scan(&id, &stored); err != nil {
			rows.Close()
			return err
		}
		ids[keyFromDB(stored)] = id
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, o := range chunk {
		if id, ok := ids[o.e.Key]; ok {
			delete(ids, o.e.Key)
			o.e.ID, o.written = id, true
		}
	}
	return nil
}

// applyOutcomes writes a run of outcomes with multi-row updates. An entry
// recorded twice in the run gets its last outcome.
func (j *Journal) applyOutcomes(ctx context.Context, run []*op) error {
	now := j.now()
	stamp := dbTime(now)
	last := make(map[int64]*op, len(run))
	order := make([]*op, 0, len(run))
	for _, o := range run {
		if o.e.ID == 0 {
			return errors.New("journal: update of a message without an id")
		}
		if _, seen := last[o.e.ID]; !seen {
			order = append(order, o)
		}
		last[o.e.ID] = o
	}
	args := make([]any, 0, rowChunks[0]*outcomeColumns)
	for len(order) > 0 {
		n := chunkSize(len(order))
		chunk := order[:n]
		order = order[n:]
		for i, first := range chunk {
			chunk[i] = last[first.e.ID]
			chunk[i].e.UpdatedAt = now
		}
		var st *sql.Stmt
		var err error
		if st, args, err = j.outcomeChunk(ctx, chunk, stamp, args[:0]); err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// outcomeChunk returns the statement writing chunk's outcomes and its
// arguments (appended to args): the shared form when the outcomes differ
// only in transaction id and accepted time (a batch accepted).
func (j *Journal) outcomeChunk(ctx context.Context, chunk []*op, stamp int64, args []any) (*sql.Stmt, []any, error) {
	first := chunk[0].e
	if allLike(chunk, sameOutcomeShared) {
		st, err := j.multiOutcomeShared(ctx, len(chunk))
		if err != nil {
			return nil, nil, err
		}
		for _, o := range chunk {
			args = append(args, o.e.ID, o.e.TransactionID, dbTime(o.e.AcceptedAt))
		}
		args = append(args, string(first.State), first.Attempts, first.HTTPStatus, first.Duplicate, first.LastError, stamp)
		return st, args, nil
	}
	st, err := j.multiOutcome(ctx, len(chunk))
	if err != nil {
		return nil, nil, err
	}
	for _, o := range chunk {
		e := o.e
		args = append(args, e.ID, string(e.State), e.TransactionID, e.Attempts, e.HTTPStatus, e.Duplicate, e.LastError, stamp,
			dbTime(e.AcceptedAt))
	}
	return st, args, nil
}

// allLike reports whether every entry of chunk is like the first one.
func allLike(chunk []*op, like func(a, b *Entry) bool) bool {
	for _, o := range chunk[1:] {
		if !like(chunk[0].e, o.e) {
			return false
		}
	}
	return true
}

// sameClaimShared reports whether a and b agree on every value the shared
// claim statement binds once (all but key, input, content digest, size
// and ExternalMessageID).
func sameClaimShared(a, b *Entry) bool {
	return a.RunID == b.RunID && a.Operation == b.Operation && a.Target == b.Target && a.State == b.State &&
		a.TransactionID == b.TransactionID && a.Attempts == b.Attempts && a.HTTPStatus == b.HTTPStatus &&
		a.Duplicate == b.Duplicate && a.LastError == b.LastError && dbTime(a.SentAt) == dbTime(b.SentAt) &&
		dbTime(a.AcceptedAt) == dbTime(b.AcceptedAt)
}

// sameOutcomeShared reports whether a and b agree on every value the
// shared outcome statement binds once (all but id, transaction id and
// accepted time).
func sameOutcomeShared(a, b *Entry) bool {
	return a.State == b.State && a.Attempts == b.Attempts && a.HTTPStatus == b.HTTPStatus && a.Duplicate == b.Duplicate &&
		a.LastError == b.LastError
}

// chunkSize is the largest of rowChunks that n rows fill.
func chunkSize(n int) int {
	for _, c := range rowChunks {
		if n >= c {
			return c
		}
	}
	return 1
}

// Claim looks up the message with e.Key and calls decide with the row found
// (nil for a new message) and e, inside the journal's write transaction.
// decide may change e (its State, Attempts, SentAt, ...); when it returns
// true, e is written: inserted, or replacing the found row's fields (e.ID
// and e.CreatedAt are then set). decide runs on the journal's writer
// goroutine: it must be quick and must not call the journal. It may be
// called twice, first with nil (a new message is the common case), then
// with the row found: it must set e's fields, not add to them.
//
// Claim returns after the write is committed, so that a request sent
// afterwards is always preceded by its row. With a nil decide, e is
// always written.
func (j *Journal) Claim(e *Entry, decide func(prior, e *Entry) bool) (prior *Entry, written bool, err error) {
	if !e.State.Valid() {
		return nil, false, &Error{Path: j.path, Op: "claim", Err: errors.New("invalid state " + string(e.State))}
	}
	o := &op{kind: opClaim, e: e, decide: decide, done: make(chan error, 1)}
	if err := j.submit(o); err != nil {
		return nil, false, err
	}
	return o.prior, o.written, nil
}

// Update writes e's outcome fields (state, transaction id, attempts, HTTP
// status, duplicate, last error, accepted time) by e.ID, for an entry Claim
// wrote, and waits for the commit: for a state that must be on disk before
// the next request.
func (j *Journal) Update(e Entry) error {
	return j.submit(&op{kind: opRecord, e: &e, done: make(chan error, 1)})
}

// Record queues a write of e's outcome fields (as Update) and returns at
// once: for outcomes,
// which a later Claim, Flush or Close commits. A failure is returned by
// Flush or Close.
func (j *Journal) Record(e Entry) error {
	if err := j.asyncError(); err != nil {
		return err
	}
	return j.submit(&op{kind: opRecord, e: &e})
}

// Flush waits until every queued write is committed and returns the first
// failure of a queued write, if any.
func (j *Journal) Flush() error {
	if err := j.submit(&op{kind: opBarrier, done: make(chan error, 1)}); err != nil {
		return err
	}
	return j.asyncError()
}

// StartRun records the start of a run and sets r.ID.
func (j *Journal) StartRun(r *Run) error {
	if r.StartedAt.IsZero() {
		r.StartedAt = j.now()
	}
	if r.State == "" {
		r.State = RunRunning
	}
	return j.submit(&op{kind: opRunStart, run: r, done: make(chan error, 1)})
}

// EndRun records a run's end: r.State, r.Counts and FinishedAt (now when
// zero).
func (j *Journal) EndRun(r *Run) error {
	if r.FinishedAt.IsZero() {
		r.FinishedAt = j.now()
	}
	return j.submit(&op{kind: opRunEnd, run: r, done: make(chan error, 1)})
}

// ClaimAll claims every entry in es as Claim does, committing them
// together: written[i] and prior[i] are es[i]'s results.
func (j *Journal) ClaimAll(es []*Entry, decide func(prior, e *Entry) bool) (prior []*Entry, written []bool, err error) {
	ops := make([]*op, len(es))
	for i, e := range es {
		if !e.State.Valid() {
			return nil, nil, &Error{Path: j.path, Op: "claim", Err: errors.New("invalid state " + string(e.State))}
		}
		ops[i] = &op{kind: opClaim, e: e, decide: decide}
	}
	// One op for the writer, so that the claims are never split across
	// two transactions.
	if err := j.submit(&op{kind: opClaimAll, group: ops, done: make(chan error, 1)}); err != nil {
		return nil, nil, err
	}
	prior, written = make([]*Entry, len(es)), make([]bool, len(es))
	for i, o := range ops {
		prior[i], written[i] = o.prior, o.written
	}
	return prior, written, nil
}
