package main

import (
	"strings"
	"testing"
)

func TestColorDecision(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) (string, bool) {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	tests := []struct {
		name             string
		outTTY, errTTY   bool
		mode             string
		env              func(string) (string, bool)
		wantOut, wantErr bool
	}{
		{"pipe", false, false, "auto", env(), false, false},
		{"terminal", true, true, "auto", env(), true, true},
		{"stdout piped, stderr terminal", false, true, "auto", env(), false, true},
		{"NO_COLOR", true, true, "auto", env("NO_COLOR", ""), false, false},
		{"TERM=dumb", true, true, "auto", env("TERM", "dumb"), false, false},
		{"always beats pipe", false, false, "always", env(), true, true},
		{"never beats terminal", true, true, "never", env(), false, false},
		{"CLICOLOR_FORCE", false, false, "auto", env("CLICOLOR_FORCE", "1"), true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := testStreams("")
			s.outTTY, s.errTTY, s.colorMode = tt.outTTY, tt.errTTY, tt.mode
			s.applyEnv(tt.env)
			if s.ColorOut() != tt.wantOut || s.ColorErr() != tt.wantErr {
				t.Errorf("color out=%v err=%v, want %v %v", s.ColorOut(), s.ColorErr(), tt.wantOut, tt.wantErr)
			}
			red := s.OutPalette().Red.Sprint("x")
			if hasANSI := strings.Contains(red, "\x1b["); hasANSI != tt.wantOut {
				t.Errorf("palette escape codes = %v, want %v (%q)", hasANSI, tt.wantOut, red)
			}
		})
	}
}

func TestPrettyXML(t *testing.T) {
	t.Parallel()
	p := newPalette(false)
	got, ok := prettyXML([]byte(`<?xml version="1.0"?><response><helloworld>Hello Python</helloworld><empty/><n:x xmlns:n="u" a="1">t</n:x></response>`), p, "")
	if !ok {
		t.Fatal("not pretty-printed")
	}
	want := `<?xml version="1.0"?>
<response>
  <helloworld>Hello Python</helloworld>
  <empty/>
  <n:x xmlns:n="u" a="1">t</n:x>
</response>
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if _, ok := prettyXML([]byte("not xml <"), p, ""); ok {
		t.Error("malformed input reported as pretty-printed")
	}
	if _, ok := prettyXML([]byte(`<!DOCTYPE x [<!ENTITY e "v">]><x>&e;</x>`), p, ""); ok {
		t.Error("DTD accepted")
	}
	// End tags that close nothing, or another element, are shown as
	// written (an extra one made the indentation negative: a panic).
	for _, doc := range []string{`<a></a></b>`, `<a><b></a></b>`, `</a>`} {
		if got, ok := prettyXML([]byte(doc), p, ""); ok {
			t.Errorf("%s pretty-printed as %q", doc, got)
		}
	}
}
