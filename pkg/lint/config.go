package lint

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigFile is the configuration file psib lint reads from the current
// directory.
const ConfigFile = ".psib-lint.yaml"

// Config is a .psib-lint.yaml file. Fields not set in the file are zero
// (nil for MaxPerRule); command-line flags override the file.
//
//	format: github          # text | json | sarif | github
//	fail-on: warning        # error | warning | never
//	max-per-rule: 20        # 0 keeps every finding
//	disable: [PSIB-L012]    # IDs or names
//	severity:
//	  PSIB-L035: error      # error | warning | info
type Config struct {
	Format     string
	FailOn     string
	MaxPerRule *int
	Disable    []string
	Severity   map[string]Severity
}

// ConfigError is a mistake in a configuration file, at a line.
type ConfigError struct {
	File string
	Line int
	Msg  string
}

// Error reads "file:line: what is wrong".
func (e *ConfigError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Formats are the output formats, in the order --help lists them.
func Formats() []string { return []string{"text", "json", "sarif", "github"} }

// ParseFailOn reads --fail-on: the lowest severity that fails the run
// (error or warning), or 0 for never.
func ParseFailOn(s string) (Severity, error) {
	switch s {
	case "error":
		return SeverityError, nil
	case "warning":
		return SeverityWarning, nil
	case "never":
		return 0, nil
	}
	return 0, fmt.Errorf("invalid fail-on %q: use error, warning or never", s)
}

func configKeys() []string {
	return []string{"format", "fail-on", "max-per-rule", "disable", "severity"}
}

// ParseConfig reads a configuration file's content; file names it in
// errors. Unknown keys, unknown rules and invalid values are a
// *ConfigError with the line.
func ParseConfig(file string, data []byte) (*Config, error) {
	cfg := &Config{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return cfg, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return cfg, nil
	}
	bad := func(n *yaml.Node, format string, args ...any) error {
		return &ConfigError{File: file, Line: n.Line, Msg: fmt.Sprintf(format, args...)}
	}
	if root.Kind != yaml.MappingNode {
		return nil, bad(root, "the configuration is a mapping of keys (%s), not a %s", strings.Join(configKeys(), ", "), kindName(root))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			return nil, bad(k, "duplicate key %q (first at line %d)", k.Value, first)
		}
		seen[k.Value] = k.Line
		switch k.Value {
		case "format":
			s, err := scalar(file, k.Value, v)
			if err != nil {
				return nil, err
			}
			if !contains(Formats(), s) {
				return nil, bad(v, "format: %q is not a format: use %s", s, strings.Join(Formats(), ", "))
			}
			cfg.Format = s
		case "fail-on":
			s, err := scalar(file, k.Value, v)
			if err != nil {
				return nil, err
			}
			if _, err := ParseFailOn(s); err != nil {
				return nil, bad(v, "fail-on: %q: use error, warning or never", s)
			}
			cfg.FailOn = s
		case "max-per-rule":
			s, err := scalar(file, k.Value, v)
			if err != nil {
				return nil, err
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return nil, bad(v, "max-per-rule: %q is not a count: use 0 (keep all) or a positive number", s)
			}
			cfg.MaxPerRule = &n
		case "disable":
			items := []*yaml.Node{v}
			if v.Kind == yaml.SequenceNode {
				items = v.Content
			}
			for _, it := range items {
				s, err := scalar(file, "disable", it)
				if err != nil {
					return nil, err
				}
				n, ok := ruleNumber(s)
				if !ok {
					return nil, bad(it, "disable: unknown rule %q (psib lint --rules lists them)", s)
				}
				if n == rXMLSyntax || n == rDoctype {
					return nil, bad(it, "disable: %s (%s) cannot be disabled: nothing after it can be checked", ruleID(n), ruleText(n).name)
				}
				cfg.Disable = append(cfg.Disable, ruleID(n))
			}
		case "severity":
			if v.Kind != yaml.MappingNode {
				return nil, bad(v, "severity: expected a mapping of rule IDs to error, warning or info (e.g. PSIB-L035: error), got a %s", kindName(v))
			}
			cfg.Severity = map[string]Severity{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				rk, rv := v.Content[j], v.Content[j+1]
				n, ok := ruleNumber(rk.Value)
				if !ok {
					return nil, bad(rk, "severity: unknown rule %q (psib lint --rules lists them)", rk.Value)
				}
				s, err := scalar(file, "severity."+rk.Value, rv)
				if err != nil {
					return nil, err
				}
				sev, err := ParseSeverity(s)
				if err != nil {
					return nil, bad(rv, "severity.%s: %v", rk.Value, err)
				}
				cfg.Severity[ruleID(n)] = sev
			}
		default:
			msg := fmt.Sprintf("unknown key %q", k.Value)
			if s := suggest(k.Value, configKeys()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, bad(k, "%s (known: %s)", msg, strings.Join(configKeys(), ", "))
		}
	}
	return cfg, nil
}

func scalar(file, key string, v *yaml.Node) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", &ConfigError{File: file, Line: v.Line, Msg: fmt.Sprintf("%s: expected a single value, got a %s", key, kindName(v))}
	}
	return v.Value, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "single value"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// yamlError turns yaml.v3's "yaml: line N: msg" into a ConfigError.
func yamlError(file string, err error) error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	return &ConfigError{File: file, Line: line, Msg: "invalid YAML: " + msg}
}

// suggest returns the known key closest to s, if it is close.
func suggest(s string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(s), k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
