// Package journal is psib publish's record of every message it sends: an
// embedded SQLite database (pure Go, modernc.org/sqlite) with one row per
// message and one row per run.
//
// A message row carries the operation, the target gateway, the content
// hash, the ExternalMessageID, the state ([StatePending], [StateInFlight],
// [StateAccepted], [StateRejected], [StateFailed], [StateUnknown]), the
// transaction id, the number of attempts, timestamps and the last error.
// Rows are keyed by a message key that the caller derives from operation,
// target and content, so that a re-run of the same batch finds them.
//
// # Journal before send
//
// [Journal.Claim] writes a row as in-flight and returns only once the
// write is committed; the caller sends the request after that. A crash or
// kill -9 at any point therefore leaves either no row (nothing was sent)
// or an in-flight row (the message may have been sent). Outcomes are
// written with [Journal.Record], which queues the write; [Journal.Flush]
// and [Journal.Close] wait for every queued write.
//
// Writes from concurrent callers are committed together (group commit):
// one writer goroutine takes every write that is waiting, runs them in one
// transaction and then wakes each caller. With many senders this costs one
// commit for many messages. Outcomes nobody waits for linger up to 25 ms
// for company, and runs of claims or outcomes in a transaction are written
// with multi-row statements; both behave exactly as one write at a time
// (TestClaimAllMultiRow).
//
// # Durability
//
// The database runs in WAL mode with synchronous=NORMAL: a committed write
// survives the process being killed (kill -9, a panic, an OOM kill), since
// it is in the operating system's hands. After a power loss or kernel crash
// the last transactions may be lost, never the database's consistency.
// psib publish is safe even then, because a message's ExternalMessageID is
// derived from its content: a message whose row was lost is sent again
// with the same id, and the gateway suppresses the duplicate.
//
// # Corruption
//
// A file that is not a psib journal (another SQLite database, an empty
// file, garbage) or whose pages are damaged gives a *[CorruptError]. psib
// never recreates or repairs a journal by itself: the user moves the file
// away. [Open] checks the whole file (PRAGMA quick_check) unless it is
// exactly as the last clean [Journal.Close] left it: Close writes a stamp
// (size, modification time, inode) to <journal>-checked, so that a large
// journal opens at once while one changed from outside, or left with a
// pending write-ahead log, is checked again.
//
// # Schema
//
// The schema's version is the database's user_version ([SchemaVersion]).
// Schema 2 stores times as microseconds since 1970 UTC (0 for none) and
// psib's own digests (the "psib-" message keys, content SHA-256) as bytes,
// so that each message writes fewer pages; other keys stay text. Read it
// with psib journal list|show|export (JSON), or in sqlite3 with e.g.
// datetime(created_at / 1e6, 'unixepoch') and hex(key). A schema-1
// journal (older psib) is upgraded in one transaction when it is opened;
// a journal of a newer schema is refused.
//
// # Limits
//
// Payloads are not stored, only their SHA-256 and size. Secrets (node
// passwords) never reach the journal: callers store the gateway URL
// without user information. Two processes may share a journal (SQLite
// locks it); their writes are serialized.
package journal
