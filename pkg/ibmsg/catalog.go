package ibmsg

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Class groups status/catalog entries by what a caller should do about them.
type Class int

const (
	// ClassUnknown marks a (set, number) pair that is not in the catalog.
	ClassUnknown Class = iota
	// ClassOK marks success (158/10000).
	ClassOK
	// ClassAuth marks credentials or authorization being rejected: node
	// password, user, service-operation permission (158/45, 158/55, 158/536).
	ClassAuth
	// ClassRouting marks no routing, unknown operation, node mismatch or an
	// inactive operation.
	ClassRouting
	// ClassContact marks the gateway failing to reach an external system or
	// an application server (158/10721).
	ClassContact
	// ClassGateway marks an error inside the integration gateway itself
	// (158/10408).
	ClassGateway
	// ClassApplication marks a handler, application-server or data error
	// (159/5 XML parser error).
	ClassApplication
)

// String returns the lower-case name of c: "unknown", "ok", "auth",
// "routing", "contact", "gateway" or "application". Values outside the
// defined range are rendered as "Class(n)".
func (c Class) String() string {
	switch c {
	case ClassUnknown:
		return "unknown"
	case ClassOK:
		return "ok"
	case ClassAuth:
		return "auth"
	case ClassRouting:
		return "routing"
	case ClassContact:
		return "contact"
	case ClassGateway:
		return "gateway"
	case ClassApplication:
		return "application"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// CatalogEntry is psib's explanation of one PeopleSoft message-catalog entry
// that Integration Broker returns in a response status.
type CatalogEntry struct {
	Set, Number int
	Title       string // the message text, with %1 %2 placeholders as PeopleSoft has them
	Meaning     string // explanation in psib's own words
	Cause       string // likely causes
	Action      string // what to do
	Class       Class
	Source      string // where the fact comes from: "seed 002", a docs URL, or "assumed"
}

// Sources cited by more than one entry.
const (
	srcSeed002      = "seed 002 (PeopleBooks: Integration Broker message structures, \"Error Codes and Message Catalog Entries\")"
	srcPSWiki       = "https://peoplesoftwiki.com/books/integration-broker/export/html"
	srcUMNSpec      = "github.com/umn-asr/peoplesoft_course_class_data: spec/lib/qas/start_sync_poll_query_spec.rb (captured SOAP fault IBResponse)"
	srcMOS1514606   = "https://support.oracle.com/knowledge/PeopleSoft%20Enterprise/1514606_1.html"
	srcMyBasicKnowl = "http://mybasicknowledge.blogspot.com/2012/07/peoplesoft-username-not-defined-in.html"
)

// catalogSize is how many entries the catalog has. Too small does not
// compile; too large leaves empty entries, which TestCatalogEntriesComplete
// reports.
const catalogSize = 8

// catalogTable returns a copy of the catalog, sorted by (Set, Number).
// There is deliberately no package-level table variable: every caller gets
// its own copy, so nothing can mutate shared state. It is an array, so
// that a lookup (one per decoded reply) copies it on the stack instead of
// allocating it.
func catalogTable() [catalogSize]CatalogEntry {
	return [catalogSize]CatalogEntry{
		{
			Set: 94, Number: 1,
			Title: "Publish Subscribe Message Exception",
			Meaning: "Legacy (PeopleTools 8.1x style) error reply. It comes back inside a " +
				"<reply><operations><exception> document rather than an IBResponse, and says " +
				"that the receiving side's publish/subscribe processing raised an exception " +
				"for the message.",
			Cause: "The subscribing PeopleCode or message definition on the receiving system " +
				"rejected or failed on the data; or a current client is talking to an old " +
				"8.1x-style interface.",
			Action: "Read the exception text and parameters that come with the reply, then check " +
				"the receiving system's subscription PeopleCode and message-monitor entries. " +
				"psib treats this as an application-side failure.",
			Class:  ClassApplication,
			Source: "web: zutshigroup.com mirror of the HCM 9.2 Time and Labor PeopleBook (as recorded in docs/ib-protocol.md §3)",
		},
		{
			Set: 158, Number: 45,
			Title: "User password failed.",
			Meaning: "The integration engine refused the credentials attached to the request. " +
				"The first parameter names the node (often ANONYMOUS) whose authentication " +
				"failed.",
			Cause: "Wrong or missing node password for the From node; the node's password was " +
				"changed on one side only; the request fell back to the ANONYMOUS node and " +
				"its default user's password no longer validates.",
			Action: "Check the From node and its authentication option (PeopleTools > Integration " +
				"Broker > Integration Setup > Nodes), send the node password that PeopleSoft " +
				"has on file, and check the node's default user ID. The gateway answers with " +
				"StatusCode 20, not HTTP 401.",
			Class:  ClassAuth,
			Source: srcUMNSpec,
		},
		{
			Set: 158, Number: 55,
			Title: "UserName not defined in database.",
			Meaning: "The user that IB would run the request as does not exist in the target " +
				"database or cannot sign in.",
			Cause: "For SOAP/REST listening connectors, the Default User ID of the ANONYMOUS " +
				"node (or of the requesting node) is not a valid user profile, or that " +
				"account is locked or disabled.",
			Action: "Open the ANONYMOUS (or requesting) node and set Default User ID to an " +
				"existing, unlocked user profile with the needed permission lists, then " +
				"retry.",
			Class:  ClassAuth,
			Source: srcPSWiki + "; " + srcMyBasicKnowl,
		},
		{
			Set: 158, Number: 536,
			Title: "User %1 not authorized to invoke Service Operation %2.",
			Meaning: "Authentication worked, but the user the request runs as (%1) has no " +
				"permission-list access to service operation %2.",
			Cause: "The service operation is not granted to any permission list of the user; " +
				"or the request ran as an unexpected user (for example the node's default " +
				"user) instead of the intended one.",
			Action: "Grant the operation through a permission list (service operation " +
				"security, or Web Libraries/Web Services on the permission list) to a role " +
				"of user %1, or send the request as a user that already has access.",
			Class:  ClassAuth,
			Source: srcPSWiki,
		},
		{
			Set: 158, Number: 10000,
			Title: "Integration Broker Response Message",
			Meaning: "Success. The request was processed, and any response payload follows in " +
				"the content sections. DefaultMsg is \"OK\" and StatusCode is 0.",
			Cause:  "Not an error.",
			Action: "Nothing to do. For async requests, follow the transaction ID in the Service Operations Monitor.",
			Class:  ClassOK,
			Source: srcSeed002,
		},
		{
			Set: 158, Number: 10408,
			Title: "Integration Gateway Error",
			Meaning: "The gateway could not handle the request itself. The text shown is the " +
				"DefaultTitle that comes with this number; psib has not seen PeopleSoft's " +
				"full catalog text for it.",
			Cause: "Seen when something that is not a valid PeopleSoft internal MIME message " +
				"(IBInfo part plus content sections) is posted to " +
				"/PSIGW/PeopleSoftListeningConnector, for example a plain XML or junk body.",
			Action: "External clients should not post to PeopleSoftListeningConnector. Use " +
				"HttpListeningConnector, PeopleSoftServiceListeningConnector (SOAP) or the " +
				"REST connector. Otherwise check the request format and the stack trace in " +
				"the gateway errorLog.html.",
			Class:  ClassGateway,
			Source: "docs/ib-protocol.md §2 (captured reply, gh ebaka-coder/notes, samples/07)",
		},
		{
			Set: 158, Number: 10721,
			Title: "Integration Gateway - External System Contact Error",
			Meaning: "The gateway's target connector could not reach the destination it was " +
				"told to call (an external URL, or another gateway). The parameter often " +
				"carries the HTTP status or a connection detail.",
			Cause: "Host name does not resolve from the gateway machine (DNS), wrong URL, port " +
				"or path in the node/connector properties, firewall or proxy in the way, " +
				"TLS or certificate problems, or the remote site is down. Some releases also " +
				"report HTTP 4xx answers from a REST partner this way.",
			Action: "From the web server that hosts PSIGW, resolve and reach the URL (nslookup, " +
				"curl). If an IP address works and the name does not, fix DNS and restart the " +
				"web server. Check the connector URL and certificates, and read errorLog.html " +
				"for the underlying exception. Async messages keep retrying, so watch the " +
				"queue after fixing.",
			Class:  ClassContact,
			Source: srcSeed002 + "; " + srcPSWiki + "; " + srcMOS1514606,
		},
		{
			Set: 159, Number: 5,
			Title: "XML parser error %1 %2",
			Meaning: "The application server could not parse XML it received or built. %1 " +
				"names the parsing call (for example ParseXmlString) and %2 carries the " +
				"parser's own message with line and column.",
			Cause: "Request body that is not well-formed XML (unclosed or mismatched tags, bad " +
				"escaping, wrong encoding), or a handler that parses a string that is not " +
				"XML.",
			Action: "Validate the payload (xmllint or a similar tool) at the line and column in " +
				"%2, fix escaping and encoding, and resend. If the payload is fine, check the " +
				"handler PeopleCode that calls the parser.",
			Class:  ClassApplication,
			Source: srcUMNSpec,
		},
	}
}

// LookupCatalog returns psib's catalog entry for message set and number, and
// false when the pair is not in the catalog.
func LookupCatalog(set, number int) (CatalogEntry, bool) {
	for _, e := range catalogTable() {
		if e.Set == set && e.Number == number {
			return e, true
		}
	}
	return CatalogEntry{}, false
}

// CatalogEntries returns every catalog entry sorted by set, then number. The
// slice is a fresh copy; changing it does not affect later lookups.
func CatalogEntries() []CatalogEntry {
	table := catalogTable()
	entries := table[:]
	slices.SortFunc(entries, func(a, b CatalogEntry) int {
		if c := cmp.Compare(a.Set, b.Set); c != 0 {
			return c
		}
		return cmp.Compare(a.Number, b.Number)
	})
	return entries
}

// Format returns e.Title with the placeholders %1 to %9 replaced by
// params[0] to params[8]. A placeholder with no matching parameter stays
// as it is. Substituted text is not scanned again, and no "(set,number)"
// suffix is added.
func (e CatalogEntry) Format(params []string) string {
	s := e.Title
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+1 < len(s) && s[i+1] >= '1' && s[i+1] <= '9' {
			idx := int(s[i+1] - '1')
			if idx < len(params) {
				b.WriteString(params[idx])
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
