package lint

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	cfg, err := ParseConfig(".psib-lint.yaml", []byte(`# CI settings
format: github
fail-on: warning
max-per-rule: 20
disable:
  - PSIB-L012
  - pscama-child-fields
severity:
  PSIB-L035: error
  audit-o-without-ac: info
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Format != "github" || cfg.FailOn != "warning" || cfg.MaxPerRule == nil || *cfg.MaxPerRule != 20 ||
		strings.Join(cfg.Disable, ",") != "PSIB-L012,PSIB-L032" ||
		cfg.Severity["PSIB-L035"] != SeverityError || cfg.Severity["PSIB-L036"] != SeverityInfo {
		t.Errorf("parsed %+v", cfg)
	}
	l, err := New(Options{Disable: cfg.Disable, Severity: cfg.Severity})
	if err != nil {
		t.Fatal(err)
	}
	if _, on := l.Enabled("PSIB-L012"); on {
		t.Error("PSIB-L012 still enabled")
	}
	if s, _ := l.Enabled("audit-k-without-n"); s != SeverityError {
		t.Errorf("PSIB-L035 severity %v", s)
	}

	for _, empty := range []string{"", "\n", "# nothing\n", "~\n"} {
		if cfg, err := ParseConfig("c.yaml", []byte(empty)); err != nil || cfg.Format != "" {
			t.Errorf("empty config %q: %+v, %v", empty, cfg, err)
		}
	}
	if cfg, err := ParseConfig("c.yaml", []byte("disable: PSIB-L012\n")); err != nil || len(cfg.Disable) != 1 {
		t.Errorf("single disable: %+v %v", cfg, err)
	}

	for _, tc := range []struct{ in, want string }{
		{"format: text\ndisabel: [PSIB-L012]\n", `.psib-lint.yaml:2: unknown key "disabel"; did you mean "disable"? (known: format, fail-on, max-per-rule, disable, severity)`},
		{"colour: always\n", `.psib-lint.yaml:1: unknown key "colour" (known: format, fail-on, max-per-rule, disable, severity)`},
		{"format: xml\n", `.psib-lint.yaml:1: format: "xml" is not a format: use text, json, sarif, github`},
		{"fail-on: sometimes\n", `.psib-lint.yaml:1: fail-on: "sometimes": use error, warning or never`},
		{"max-per-rule: -1\n", `.psib-lint.yaml:1: max-per-rule: "-1" is not a count`},
		{"disable:\n  - PSIB-L012\n  - PSIB-L099\n", `.psib-lint.yaml:3: disable: unknown rule "PSIB-L099"`},
		{"disable: [xml-syntax]\n", `.psib-lint.yaml:1: disable: PSIB-L001 (xml-syntax) cannot be disabled`},
		{"severity:\n  PSIB-L035: fatal\n", `.psib-lint.yaml:2: severity.PSIB-L035: unknown severity "fatal"`},
		{"severity:\n  nope: error\n", `.psib-lint.yaml:2: severity: unknown rule "nope"`},
		{"severity: error\n", `.psib-lint.yaml:1: severity: expected a mapping`},
		{"format: [text]\n", `.psib-lint.yaml:1: format: expected a single value, got a list`},
		{"format: text\nformat: json\n", `.psib-lint.yaml:2: duplicate key "format" (first at line 1)`},
		{"- format\n", `.psib-lint.yaml:1: the configuration is a mapping of keys`},
		{"format: text\n\tfail-on: error\n", `.psib-lint.yaml:2: invalid YAML: found a tab character`},
	} {
		_, err := ParseConfig(".psib-lint.yaml", []byte(tc.in))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s", tc.in, err, tc.want)
		}
		if _, ok := err.(*ConfigError); err != nil && !ok {
			t.Errorf("%q: %T, want *ConfigError", tc.in, err)
		}
	}
}

func TestParseFailOn(t *testing.T) {
	for in, want := range map[string]Severity{"error": SeverityError, "warning": SeverityWarning, "never": 0} {
		if got, err := ParseFailOn(in); err != nil || got != want {
			t.Errorf("ParseFailOn(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseFailOn("info"); err == nil {
		t.Error("fail-on info accepted")
	}
}

// FuzzParseConfig: any file content gives a Config or a *ConfigError with
// a line, never a panic.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{"format: github\nfail-on: warning\n", "disable: [PSIB-L012]\nseverity:\n  PSIB-L035: error\n", "max-per-rule: 3\n", "- x\n", "a: [\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig("c.yaml", data)
		if err != nil {
			if _, ok := err.(*ConfigError); !ok {
				t.Fatalf("%T %v", err, err)
			}
			return
		}
		if _, err := New(Options{Disable: cfg.Disable, Severity: cfg.Severity}); err != nil {
			t.Fatalf("a parsed configuration is not accepted: %v", err)
		}
	})
}
