package ibmsg

import "github.com/psib-dev/psib/internal/asciifold"

// HeaderField is one MIME header field with its name as written.
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Header is a MIME header block in its original order and spelling.
// PeopleSoft reads IB header names case-sensitively, so psib never
// canonicalizes them; lookups ignore the case of ASCII letters, as MIME
// allows (field names are ASCII).
type Header []HeaderField

// Get returns the first value of the named field (case-insensitive), or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if asciifold.Equal(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// Values returns every value of the named field (case-insensitive).
func (h Header) Values(name string) []string {
	var vs []string
	for _, f := range h {
		if asciifold.Equal(f.Name, name) {
			vs = append(vs, f.Value)
		}
	}
	return vs
}

// Set replaces the first field of that name (keeping its position) and
// removes the others, or appends a new field.
func (h *Header) Set(name, value string) {
	out := (*h)[:0]
	done := false
	for _, f := range *h {
		if asciifold.Equal(f.Name, name) {
			if done {
				continue
			}
			f.Value = value
			done = true
		}
		out = append(out, f)
	}
	if !done {
		out = append(out, HeaderField{Name: name, Value: value})
	}
	*h = out
}

// Add appends a field.
func (h *Header) Add(name, value string) { *h = append(*h, HeaderField{Name: name, Value: value}) }

// Map returns the fields as a map of name to value (the last one wins), for
// JSON output.
func (h Header) Map() map[string]string {
	m := make(map[string]string, len(h))
	for _, f := range h {
		m[f.Name] = f.Value
	}
	return m
}

// isHeaderLine reports whether line starts a header field: a field name of
// printable ASCII without spaces, then a colon.
func isHeaderLine(line []byte) bool {
	for i, c := range line {
		if c == ':' {
			return i > 0
		}
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return false
}
