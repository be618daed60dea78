// Package secret holds values that must never reach output, logs, errors or
// verbose dumps: node passwords, basic-auth credentials, WS-Security passwords.
//
// A Secret prints, formats, marshals (JSON, XML text, YAML) and logs as
// "REDACTED". The only way to read the value is the explicit Reveal method,
// which is meant to be called at the last moment, where the value goes on the
// wire.
package secret

import (
	"fmt"
	"log/slog"
)

// Redacted is what a Secret shows instead of its value.
const Redacted = "REDACTED"

// Secret is a string that hides itself. The zero value is the empty secret.
//
// The value sits behind a pointer: when fmt prints a struct that holds a
// Secret with a verb that bypasses Format (such as %s on a struct pointer),
// it shows a nested pointer as an address, never the text behind it.
type Secret struct {
	value *hidden
}

type hidden struct{ s string }

// New wraps a value as a Secret.
func New(v string) Secret {
	if v == "" {
		return Secret{}
	}
	return Secret{value: &hidden{v}}
}

// Reveal returns the value. Call it only where the value must go on the wire.
func (s Secret) Reveal() string {
	if s.value == nil {
		return ""
	}
	return s.value.s
}

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == nil || s.value.s == "" }

// Equal reports whether two secrets hold the same value.
func (s Secret) Equal(o Secret) bool { return s.Reveal() == o.Reveal() }

// String returns Redacted (or "" for an empty secret, so that "no password"
// stays visible as such).
func (s Secret) String() string {
	if s.IsZero() {
		return ""
	}
	return Redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return fmt.Sprintf("secret.Secret(%q)", s.String()) }

// Format makes every fmt verb print the redacted form.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", s.String())
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, s.GoString())
			return
		}
		fmt.Fprint(f, s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalText is used by encoding/json, encoding/xml and YAML encoders.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON returns the redacted form as a JSON string.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }

// UnmarshalText lets configuration decoders fill a Secret from text.
func (s *Secret) UnmarshalText(b []byte) error {
	*s = New(string(b))
	return nil
}

// LogValue keeps log/slog from recording the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
