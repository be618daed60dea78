package ibmsg

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/psib-dev/psib/pkg/secret"
)

// Credentials are the parameters of a request to the HTTP listening
// connector: what PeopleSoft calls the request's credentials, as opposed to
// its body. They travel as HTTP headers, in the query string, or in the
// IBRequest body wrapper.
type Credentials struct {
	// OperationName is the service operation's external alias, e.g.
	// "CHG_SYNC_TEST.v1". Case-sensitive. Required.
	OperationName string
	// OperationType is "sync", "async" or "ping"; empty lets the
	// operation's definition decide.
	OperationType string
	// From is the requesting (external) node. Required.
	From string
	// To is the destination node.
	To string
	// Password is the From node's password, sent as plain text.
	Password secret.Secret
	// ExternalMessageID lets the gateway suppress duplicates (70 characters
	// at most).
	ExternalMessageID string
	// NonRepudiation is "Y" or "N".
	NonRepudiation                                 string
	OrigUser, OrigNode, OrigProcess, OrigTimeStamp string
	FinalDestination                               string
	// SubQueue names an async partitioned sub-queue (SubChannel in the
	// body wrapper).
	SubQueue                    string
	MessageName, MessageVersion string
}

// MaxExternalMessageID is the longest ExternalMessageID the gateway takes.
const MaxExternalMessageID = 70

// Header names of the HTTP listening connector, spelled exactly as
// PeopleSoft reads them: the gateway matches them case-sensitively.
const (
	HeaderOperationName     = "OperationName"
	HeaderOperationType     = "OperationType"
	HeaderFrom              = "From"
	HeaderTo                = "To"
	HeaderPassword          = "Password"
	HeaderExternalMessageID = "ExternalMessageID"
	HeaderNonRepudiation    = "NonRepudiation"
	HeaderOrigUser          = "OrigUser"
	HeaderOrigNode          = "OrigNode"
	HeaderOrigProcess       = "OrigProcess"
	HeaderOrigTimeStamp     = "OrigTimeStamp"
	HeaderFinalDestination  = "FinalDestination"
	HeaderSubQueue          = "SubQueue"
	HeaderMessageName       = "MessageName"
	HeaderMessageVersion    = "MessageVersion"
	// HeaderTransactionID is the response header of an accepted async
	// message (lower case on the wire, seed 001).
	HeaderTransactionID = "transactionid"
	// QueryOperation is the query-string name of the operation ("Operation",
	// not "OperationName").
	QueryOperation = "Operation"
)

// fields lists (name, value pointer) in PeopleSoft's documented order, so
// headers, query strings and dumps come out in a stable order.
func (c *Credentials) fields() []struct {
	name string
	v    *string
} {
	return []struct {
		name string
		v    *string
	}{
		{HeaderOperationName, &c.OperationName},
		{HeaderOperationType, &c.OperationType},
		{HeaderFrom, &c.From},
		{HeaderTo, &c.To},
		{HeaderExternalMessageID, &c.ExternalMessageID},
		{HeaderNonRepudiation, &c.NonRepudiation},
		{HeaderOrigUser, &c.OrigUser},
		{HeaderOrigNode, &c.OrigNode},
		{HeaderOrigProcess, &c.OrigProcess},
		{HeaderOrigTimeStamp, &c.OrigTimeStamp},
		{HeaderFinalDestination, &c.FinalDestination},
		{HeaderSubQueue, &c.SubQueue},
		{HeaderMessageName, &c.MessageName},
		{HeaderMessageVersion, &c.MessageVersion},
	}
}

// Validate checks what the gateway requires before anything is sent.
func (c *Credentials) Validate() error {
	var missing []string
	if strings.TrimSpace(c.OperationName) == "" {
		missing = append(missing, "OperationName (the operation's external alias, e.g. CHG_SYNC_TEST.v1)")
	}
	if strings.TrimSpace(c.From) == "" {
		missing = append(missing, "From (the requesting node)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("ibmsg: credentials: missing %s", strings.Join(missing, " and "))
	}
	if len(c.ExternalMessageID) > MaxExternalMessageID {
		return fmt.Errorf("ibmsg: credentials: ExternalMessageID is %d characters, at most %d are allowed", len(c.ExternalMessageID), MaxExternalMessageID)
	}
	switch strings.ToLower(c.OperationType) {
	case "", "sync", "async", "ping":
	default:
		return fmt.Errorf("ibmsg: credentials: OperationType %q: use sync, async or ping", c.OperationType)
	}
	return nil
}

// SetHeaders writes the credentials into h with PeopleSoft's exact
// spellings. It assigns map keys directly, because http.Header.Set would
// canonicalize "OperationName" to "Operationname" and PeopleSoft reads
// names case-sensitively. Go's HTTP/1.1 client writes keys as given.
func (c Credentials) SetHeaders(h http.Header) {
	for _, f := range c.fields() {
		if *f.v != "" {
			h[f.name] = []string{*f.v}
		}
	}
	if !c.Password.IsZero() {
		h[HeaderPassword] = []string{c.Password.Reveal()}
	}
}

// CredentialsFromHeader reads credentials from a header block whose names
// are as they came on the wire, matching PeopleSoft's spellings exactly.
func CredentialsFromHeader(h Header) Credentials {
	var c Credentials
	get := func(name string) string {
		for _, f := range h {
			if f.Name == name {
				return strings.TrimSpace(f.Value)
			}
		}
		return ""
	}
	for _, f := range c.fields() {
		*f.v = get(f.name)
	}
	c.Password = secret.New(get(HeaderPassword))
	return c
}

// Query returns the credentials as query-string arguments: "Operation" for
// the operation, the header names for the rest (the documented query names
// are Operation, From, To, Password and OperationType; the others are
// assumed to follow the header names).
func (c Credentials) Query() url.Values {
	q := url.Values{}
	for _, f := range c.fields() {
		if *f.v == "" {
			continue
		}
		name := f.name
		if name == HeaderOperationName {
			name = QueryOperation
		}
		q.Set(name, *f.v)
	}
	if !c.Password.IsZero() {
		q.Set(HeaderPassword, c.Password.Reveal())
	}
	return q
}

// CredentialsFromQuery reads credentials from query-string arguments
// (Operation=..., or OperationName=... as some clients send).
func CredentialsFromQuery(q url.Values) Credentials {
	var c Credentials
	for _, f := range c.fields() {
		*f.v = strings.TrimSpace(q.Get(f.name))
	}
	if op := strings.TrimSpace(q.Get(QueryOperation)); op != "" {
		c.OperationName = op
	}
	c.Password = secret.New(q.Get(HeaderPassword))
	return c
}

// Merge fills every empty field of c from o (c wins), for connectors that
// accept credentials from several places.
func (c Credentials) Merge(o Credentials) Credentials {
	mine, theirs := c.fields(), o.fields()
	for i := range mine {
		if *mine[i].v == "" {
			*mine[i].v = *theirs[i].v
		}
	}
	if c.Password.IsZero() {
		c.Password = o.Password
	}
	return c
}

// IsZero reports whether no credential is set.
func (c Credentials) IsZero() bool {
	for _, f := range c.fields() {
		if *f.v != "" {
			return false
		}
	}
	return c.Password.IsZero()
}
