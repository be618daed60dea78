package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PruneOptions selects what Prune removes. Only settled messages
// (accepted, rejected, failed) are ever removed: a pending, in-flight or
// unknown row is what makes a re-run resend with the same
// ExternalMessageID, so it stays whatever its age.
type PruneOptions struct {
	// Before, when set, selects messages last written before it, and runs
	// started before it.
	Before time.Time
	// KeepRuns, when above 0, keeps the newest KeepRuns runs and the
	// messages they wrote last; the older ones are selected.
	KeepRuns int
	// DryRun counts what would be removed and removes nothing.
	DryRun bool
	// Vacuum rewrites the file afterwards so that it shrinks (it takes a
	// while on a large journal, and needs as much free disk space again:
	// a temporary copy and the write-ahead log).
	Vacuum bool
}

// PruneResult says what Prune removed, or would remove with DryRun.
type PruneResult struct {
	// Messages is the number of settled messages removed.
	Messages int64
	// Runs is the number of runs removed: selected, finished, and with no
	// message left.
	Runs int64
	// Kept is the number of unsettled messages (pending, in-flight,
	// unknown) in the selection, which are kept.
	Kept int64
}

// filter is the condition o selects rows by, over a table whose last
// update time is timeColumn and whose run id is runColumn (messages:
// updated_at, run_id; runs: started_at, id), with its arguments.
func (o PruneOptions) filter(timeColumn, runColumn string) (string, []any) {
	var (
		where []string
		args  []any
	)
	if !o.Before.IsZero() {
		where, args = append(where, timeColumn+" < ?"), append(args, dbTime(o.Before))
	}
	if o.KeepRuns > 0 {
		where, args = append(where, runColumn+" NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?)"), append(args, o.KeepRuns)
	}
	return strings.Join(where, " AND "), args
}

// Prune removes settled messages and empty runs that o selects, in one
// transaction. At least one of Before and KeepRuns must be set.
func (j *Journal) Prune(ctx context.Context, o PruneOptions) (PruneResult, error) {
	var res PruneResult
	if o.Before.IsZero() && o.KeepRuns <= 0 {
		return res, &Error{Path: j.path, Op: "prune", Err: errors.New("nothing selected: give a time (Before) or a number of runs to keep (KeepRuns)")}
	}
	const settledStates = "state IN ('accepted', 'rejected', 'failed')"
	sel, msgArgs := o.filter("updated_at", "run_id")
	settled := settledStates + " AND " + sel
	// A run is removed when it is selected, not running, and nothing would
	// be left of it: every message it wrote last is itself removed.
	runSel, runArgs := o.filter("started_at", "id")
	// Not a correlated subquery: the messages that stay are read once.
	runs := "state <> 'running' AND " + runSel +
		" AND id NOT IN (SELECT run_id FROM messages WHERE NOT (" + settled + "))"
	runArgs = append(runArgs, msgArgs...)

	conn, err := j.db.Conn(ctx)
	if err != nil {
		return res, j.wrap("prune", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return res, j.wrap("prune", err)
	}
	done := false
	defer func() {
		if !done {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	count := func(q string, args []any, n *int64) error {
		return conn.QueryRowContext(ctx, q, args...).Scan(n)
	}
	if err := count("SELECT count(*) FROM messages WHERE "+settled, msgArgs, &res.Messages); err != nil {
		return res, j.wrap("prune", err)
	}
	if err := count("SELECT count(*) FROM messages WHERE state IN ('pending', 'in-flight', 'unknown') AND "+sel, msgArgs, &res.Kept); err != nil {
		return res, j.wrap("prune", err)
	}
	if err := count("SELECT count(*) FROM runs WHERE "+runs, runArgs, &res.Runs); err != nil {
		return res, j.wrap("prune", err)
	}
	if o.DryRun {
		return res, nil
	}
	if _, err := conn.ExecContext(ctx, "DELETE FROM runs WHERE "+runs, runArgs...); err != nil {
		return res, j.wrap("prune", err)
	}
	if _, err := conn.ExecContext(ctx, "DELETE FROM messages WHERE "+settled, msgArgs...); err != nil {
		return res, j.wrap("prune", err)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return res, j.wrap("prune", err)
	}
	done = true
	if o.Vacuum {
		if err := j.vacuum(ctx, conn); err != nil {
			return res, fmt.Errorf("%w: %w", ErrVacuum, err)
		}
	}
	return res, nil
}

// vacuum rewrites the file without its free pages, on conn (outside a
// transaction). VACUUM builds the new file in temporary storage: on disk,
// not in memory as the connection's temporary data is otherwise.
func (j *Journal) vacuum(ctx context.Context, conn *sql.Conn) error {
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return j.wrap("vacuum", err)
	}
	_, err := conn.ExecContext(ctx, "VACUUM")
	_, _ = conn.ExecContext(context.Background(), "PRAGMA temp_store = MEMORY")
	return j.wrap("vacuum", err)
}

// ErrVacuum marks a Prune whose removal was committed but whose VACUUM
// failed: the PruneResult returned with it stands.
var ErrVacuum = errors.New("journal: pruned, but the file could not be compacted")
