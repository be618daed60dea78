package secret

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrintsItsValue(t *testing.T) {
	const pw = "hunter2-node-key"
	s := New(pw)
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%10s"} {
		outputs = append(outputs, fmt.Sprintf(verb, s))
	}
	outputs = append(outputs, fmt.Sprint(s), fmt.Sprintf("%v", struct{ P Secret }{s}), fmt.Sprintf("%+v", &struct{ P Secret }{s}))
	j, err := json.Marshal(struct{ P Secret }{s})
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(j))
	type holder struct{ P Secret }
	x, err := xml.Marshal(holder{s})
	if err != nil {
		t.Fatal(err)
	}
	outputs = append(outputs, string(x))
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("msg", "password", s)
	outputs = append(outputs, buf.String())
	for _, o := range outputs {
		if strings.Contains(o, pw) {
			t.Errorf("secret leaked in %q", o)
		}
		if !strings.Contains(o, Redacted) {
			t.Errorf("output %q does not say %s", o, Redacted)
		}
	}
	if s.Reveal() != pw {
		t.Errorf("Reveal = %q", s.Reveal())
	}
}

func TestEmptySecretShowsEmpty(t *testing.T) {
	var s Secret
	if got := fmt.Sprint(s); got != "" {
		t.Errorf("empty secret printed %q", got)
	}
	if !s.IsZero() {
		t.Error("zero secret not IsZero")
	}
}

func TestUnmarshalText(t *testing.T) {
	var v struct{ P Secret }
	if err := json.Unmarshal([]byte(`{"P":"abc"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.P.Reveal() != "abc" {
		t.Errorf("got %q", v.P.Reveal())
	}
}
