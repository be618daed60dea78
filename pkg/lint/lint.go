package lint

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Finding is one problem in one input, where it is. Its JSON form is the
// one in psib's CLI contract.
type Finding struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Rule is the rule's ID, e.g. PSIB-L020.
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Message says what is wrong and how to fix it, on one line.
	Message string `json:"message"`
}

// Options configure a Linter. The zero value reports every rule at its
// default severity and keeps every finding.
type Options struct {
	// Disable lists rules (IDs such as PSIB-L012, or names such as
	// unused-declaration) not to report. xml-syntax and doctype cannot be
	// disabled: nothing after them can be checked.
	Disable []string
	// Severity overrides rules' severities; keys are IDs or names.
	Severity map[string]Severity
	// MaxPerRule caps the findings kept per rule and input (0 keeps all).
	// Findings beyond the cap still count in Result.Counts and are
	// tallied in Result.Omitted, so exit decisions see them.
	MaxPerRule int
	// Message, when set, is the name the root element must have.
	Message string
}

// Linter checks rowset-based messages. It holds only its configuration:
// one Linter may check any number of inputs, concurrently.
type Linter struct {
	sev        [maxRule + 1]Severity // 0: disabled or no such rule
	maxPerRule int
	message    string
	bufSize    int // the scanner's window; 0 is the default (tests shrink it)
}

// New returns a Linter for opts; unknown rule IDs are an error.
func New(opts Options) (*Linter, error) {
	l := &Linter{maxPerRule: opts.MaxPerRule, message: opts.Message}
	if l.maxPerRule < 0 {
		return nil, fmt.Errorf("lint: MaxPerRule %d is negative", l.maxPerRule)
	}
	for n := 1; n <= maxRule; n++ {
		l.sev[n] = ruleText(n).sev
	}
	for _, id := range opts.Disable {
		n, ok := ruleNumber(id)
		if !ok {
			return nil, fmt.Errorf("lint: unknown rule %q (psib lint --rules lists them)", id)
		}
		if n == rXMLSyntax || n == rDoctype {
			return nil, fmt.Errorf("lint: rule %s (%s) cannot be disabled: nothing after a syntax error or a DOCTYPE can be checked", ruleID(n), ruleText(n).name)
		}
		l.sev[n] = 0
	}
	for id, s := range opts.Severity {
		n, ok := ruleNumber(id)
		if !ok {
			return nil, fmt.Errorf("lint: unknown rule %q (psib lint --rules lists them)", id)
		}
		if s < SeverityInfo || s > SeverityError {
			return nil, fmt.Errorf("lint: invalid severity for %s", id)
		}
		if l.sev[n] != 0 {
			l.sev[n] = s
		}
	}
	return l, nil
}

// Enabled reports whether the rule (ID or name) is reported, and at which
// severity.
func (l *Linter) Enabled(idOrName string) (Severity, bool) {
	n, ok := ruleNumber(idOrName)
	if !ok || l.sev[n] == 0 {
		return 0, false
	}
	return l.sev[n], true
}

// Counts tallies findings by severity.
type Counts struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
}

func (c *Counts) add(s Severity) {
	switch s {
	case SeverityError:
		c.Errors++
	case SeverityWarning:
		c.Warnings++
	case SeverityInfo:
		c.Infos++
	}
}

// AtLeast returns how many findings have severity s or higher.
func (c Counts) AtLeast(s Severity) int {
	n := c.Errors
	if s <= SeverityWarning {
		n += c.Warnings
	}
	if s <= SeverityInfo {
		n += c.Infos
	}
	return n
}

// Result is what Check found in one input.
type Result struct {
	File string
	// Findings are in position order, at most Options.MaxPerRule per rule.
	Findings []Finding
	// Counts counts every finding, kept or omitted.
	Counts Counts
	// Omitted counts, per rule ID, the findings beyond Options.MaxPerRule.
	Omitted map[string]int
	// Rowset is false for documents that are not rowset-based messages
	// (container message parts, PsNonXml wrappers, other XML): for them
	// only well-formedness was checked.
	Rowset bool
}

// Summary is the JSON contract's summary: inputs checked and findings by
// severity.
type Summary struct {
	Files int `json:"files"`
	Counts
}

// Add counts one input's result.
func (s *Summary) Add(r *Result) {
	s.Files++
	s.Errors += r.Counts.Errors
	s.Warnings += r.Counts.Warnings
	s.Infos += r.Counts.Infos
}

// Check reads one message from r and returns its findings, named after
// file. Well-formedness errors are findings (PSIB-L001); the error is
// non-nil only when r cannot be read.
func (l *Linter) Check(file string, r io.Reader) (*Result, error) {
	res := &Result{File: file, Omitted: map[string]int{}}
	c := &checker{l: l, res: res}
	in, err := utf8Reader(r)
	if err != nil {
		var se *syntaxError
		if asSyntax(err, &se) {
			c.report(rXMLSyntax, se.line, se.col, "%s", se.msg)
			c.finish()
			return res, nil
		}
		return nil, err
	}
	c.s = newScanner(in, l.bufSize)
	if err := c.run(); err != nil {
		return nil, err
	}
	c.finish()
	return res, nil
}

func asSyntax(err error, se **syntaxError) bool {
	e, ok := err.(*syntaxError)
	if ok {
		*se = e
	}
	return ok
}

// finish sorts the findings by position.
func (c *checker) finish() {
	sort.SliceStable(c.res.Findings, func(i, j int) bool {
		a, b := c.res.Findings[i], c.res.Findings[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Rule < b.Rule
	})
}

// report records a finding of rule at line:col, unless the rule is off.
func (c *checker) report(rule, line, col int, format string, args ...any) {
	sev := c.l.sev[rule]
	if sev == 0 {
		return
	}
	c.res.Counts.add(sev)
	c.perRule[rule]++
	if c.l.maxPerRule > 0 && c.perRule[rule] > c.l.maxPerRule {
		c.res.Omitted[ruleID(rule)]++
		return
	}
	c.res.Findings = append(c.res.Findings, Finding{
		File: c.res.File, Line: line, Column: col, Rule: ruleID(rule), Severity: sev,
		Message: oneLine(fmt.Sprintf(format, args...)),
	})
}

// oneLine keeps messages on one line whatever values they quote.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
}
