// Package worklist is psib's client for PeopleSoft's PT_WORKLIST web
// service (seed 004): CREATE_WORKLIST_ITEM creates a worklist entry for a
// PeopleSoft user on behalf of an external system, GETWLINSTANCE reports
// the entry's status.
//
// A [Client] sends the messages of pkg/ibmsg ([ibmsg.CreateRequest],
// [ibmsg.StatusRequest]) as SOAP to the PeopleSoft service listening
// connector through pkg/gateway, and reads the replies
// ([ibmsg.StatusResponse], the acknowledgement or an
// [ibmsg.CreateResponse]):
//
//   - [Client.Create] validates the request (seed 004's required fields and
//     priorities) before anything is sent, gives it a RequestMessageID when
//     it has none, and records it in a [Journal] so that repeating the same
//     create does not create a second entry.
//   - [Client.Status] asks for an entry's status.
//   - [Client.Wait] polls the status until the entry is marked Worked, with
//     an injectable clock and sleep.
//
// # Names on the wire
//
// The exact XML of PT_WORKLIST is not public. A [Service] holds the names
// psib sends: each operation's external alias (the SOAPAction) and each
// message's root element and namespace. [DefaultService] is psib's
// assumption (docs/worklist.md); [ParseWSDL] reads a site's actual names
// from its PT_WORKLIST WSDL; a [Template] replaces psib's request shape
// altogether. Replies are read by local element names, whatever their
// namespaces.
//
// # Duplicates
//
// Seed 004: a create sent twice with the same RequestMessageID is rejected
// the second time; sent again with a new RequestMessageID it creates a
// second entry. [Client.Create] therefore looks the request's content up
// in the journal first: an entry already accepted is not sent again
// ([OutcomeSkipped]); a create whose outcome is unknown (sent, no answer)
// is sent again with the same RequestMessageID, so that PeopleSoft rejects
// it if the first one arrived. [CreateOptions.ForceNew] really creates
// another entry. The journal is written before the request is sent.
//
// # Limits
//
// [JournalOf] keeps the creates in psib's journal (pkg/journal, the SQLite
// file psib publish writes), one row per RequestMessageID; finding a
// create by its content scans the journal's rows. Two identical creates
// started at the same moment are both sent. [FetchWSDL]
// uses its own HTTP client: the gateway's CA file and client certificate
// are not applied to it (save the WSDL and give the file instead).
package worklist
