// Package publish is the batch engine of psib publish: it turns inputs
// into asynchronous messages and delivers each one once, never losing one
// and never silently sending one twice.
//
// # Inputs
//
// A [Source] names files, directories, glob patterns and stdin; with
// NDJSON every line is a message. [Source.Scan] checks every message
// before anything is sent (readable, within the size limit, well-formed
// XML unless non-XML), and [Batch.Messages] reads them again, in order,
// when they are sent: nothing but the file names is kept in between, so
// memory does not grow with the batch.
//
// # Identity
//
// Every message carries an ExternalMessageID, which the gateway uses to
// suppress duplicates. [MessageID] derives it from the operation, the
// nodes and the content, so the same message always gets the same id;
// Options.NewID sends fresh random ids instead. The journal keys messages
// on the same facts plus the gateway URL.
//
// # Delivery
//
// [Run] claims each message in the journal (in-flight) before its
// request goes out, then classifies the answer:
//
//   - acknowledged with a transaction id: accepted;
//   - the gateway's duplicate reply to a message with an id: accepted (it
//     was in already, once);
//   - an IB error (IBResponse type="error"): rejected, never retried;
//   - nothing delivered (refused, DNS, TLS, HTTP 503/429): retried with
//     capped exponential backoff and jitter, then failed;
//   - ambiguous (timeout, reset after the request was sent): retried only
//     with the same ExternalMessageID, then unknown. Without an id it is
//     unknown at once and never resent, unless Options.RetryUnknown.
//
// A re-run skips what the journal says was accepted, and resends what was
// left in flight or unknown under the same id (the gateway suppresses a
// duplicate). Results are reported in input order, whatever the
// concurrency.
//
// # Interrupts
//
// Options.Interrupt is the signal channel, injected (tests send on it):
// the first signal stops new messages and lets those in flight finish and
// be recorded; the second aborts the requests in flight, which are
// recorded unknown (the gateway may have them). Messages never sent are
// counted in [Summary.NotSent]; a re-run sends them.
//
// # Limits
//
// The order window is bounded (at most 64 per concurrent sender, and at
// least 1024, results waiting for a slow predecessor); a message retrying
// for long holds the batch back once the window is full. The payload of
// one message is at most Source.MaxBytes (64 MiB by default).
package publish
