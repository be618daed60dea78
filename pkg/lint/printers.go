package lint

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// TextStyle colors parts of the text format. A nil function leaves its
// part plain; the zero value prints no color at all.
type TextStyle struct {
	Position func(string) string // file:line:col
	Error    func(string) string
	Warning  func(string) string
	Info     func(string) string
	Rule     func(string) string
}

func apply(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// WriteText writes one line per finding:
//
//	file:line:col: severity RULE message
func WriteText(w io.Writer, r *Result, st TextStyle) error {
	for _, f := range r.Findings {
		sev := f.Severity.String()
		switch f.Severity {
		case SeverityError:
			sev = apply(st.Error, sev)
		case SeverityWarning:
			sev = apply(st.Warning, sev)
		default:
			sev = apply(st.Info, sev)
		}
		pos := fmt.Sprintf("%s:%d:%d:", f.File, f.Line, f.Column)
		if _, err := fmt.Fprintf(w, "%s %s %s %s\n", apply(st.Position, pos), sev, apply(st.Rule, f.Rule), f.Message); err != nil {
			return err
		}
	}
	return nil
}

// WriteGitHub writes GitHub Actions workflow commands, which the Actions
// runner turns into annotations on the pull request:
//
//	::error file=msg.xml,line=12,col=9::message (PSIB-L020)
//
// Warnings use ::warning and infos ::notice.
func WriteGitHub(w io.Writer, r *Result) error {
	for _, f := range r.Findings {
		cmd := "notice"
		switch f.Severity {
		case SeverityError:
			cmd = "error"
		case SeverityWarning:
			cmd = "warning"
		}
		_, err := fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d::%s\n", cmd, ghProperty(f.File), f.Line, f.Column,
			ghData(f.Message+" ("+f.Rule+")"))
		if err != nil {
			return err
		}
	}
	return nil
}

// ghData escapes a workflow command's message (actions/toolkit's
// escapeData).
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's property value
// (actions/toolkit's escapeProperty).
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// Report is the JSON format: every finding and the summary, as psib's CLI
// contract has it.
type Report struct {
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
}

// NewReport collects results into a Report (findings never null).
func NewReport(results []*Result) Report {
	rep := Report{Findings: []Finding{}}
	for _, r := range results {
		rep.Findings = append(rep.Findings, r.Findings...)
		rep.Summary.Add(r)
	}
	return rep
}

// WriteJSON writes the results as one JSON document.
func WriteJSON(w io.Writer, results []*Result) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(NewReport(results))
}

// ToolInfo names the tool in SARIF output.
type ToolInfo struct {
	Name           string
	Version        string
	InformationURI string
}

// RulesURL is where each rule's documentation lives; a rule's anchor is
// its lower-case ID (#psib-l001).
const RulesURL = "https://github.com/psib-dev/psib/blob/main/pkg/lint/RULES.md"

// SARIF 2.1.0 (OASIS), the subset psib writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	ColumnKind string        `json:"columnKind"`
	Results    []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	HelpURI              string          `json:"helpUri"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           map[string]any  `json:"properties,omitempty"`
}

type sarifRuleConfig struct {
	Enabled bool   `json:"enabled"`
	Level   string `json:"level"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a file name into a relative URI reference.
func sarifURI(name string) string {
	return (&url.URL{Path: filepath.ToSlash(name)}).String()
}

// WriteSARIF writes the results as a SARIF 2.1.0 log with one run, whose
// driver lists every rule (rules[]) at the severity l reports it with
// (disabled rules have enabled=false). Columns count Unicode code points.
func (l *Linter) WriteSARIF(w io.Writer, results []*Result, tool ToolInfo) error {
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI}},
		ColumnKind: "unicodeCodePoints",
		Results:    []sarifResult{},
	}
	index := map[string]int{}
	for i, r := range Rules() {
		sev, enabled := l.Enabled(r.ID)
		if !enabled {
			sev = r.Severity
		}
		index[r.ID] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: r.ID, Name: r.Name,
			ShortDescription:     sarifText{r.Summary},
			FullDescription:      sarifText{oneLine(r.Explain)},
			Help:                 sarifText{r.Explain},
			HelpURI:              RulesURL + "#" + strings.ToLower(r.ID),
			DefaultConfiguration: sarifRuleConfig{Enabled: enabled, Level: sarifLevel(sev)},
			Properties:           map[string]any{"tags": []string{"peoplesoft", "integration-broker", "rowset"}},
		})
	}
	for _, res := range results {
		for _, f := range res.Findings {
			run.Results = append(run.Results, sarifResult{
				RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
				Message: sarifText{f.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{URI: sarifURI(f.File)},
					// If startColumn is absent it defaults to 1; psib always knows it.
					Region: sarifRegion{StartLine: max(1, f.Line), StartColumn: max(1, f.Column)},
				}}},
			})
		}
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}
