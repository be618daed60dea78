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
type Secret struct {
	value string
}

// New wraps a value as a Secret.
func New(v string) Secret { return Secret{value: v} }

// Reveal returns the value. Call it only where the value must go on the wire.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// String returns Redacted (or "" for an empty secret, so that "no password"
// stays visible as such).
func (s Secret) String() string {
	if s.value == "" {
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
	s.value = string(b)
	return nil
}

// LogValue keeps log/slog from recording the value.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }
