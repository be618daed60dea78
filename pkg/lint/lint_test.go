package lint

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixtures = "../../testdata/lint"

// golden compares got with the golden file at path (or rewrites it).
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/lint -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

// checkFile lints a fixture, naming it by its path under testdata/lint.
func checkFile(t *testing.T, l *Linter, path string) *Result {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	name, err := filepath.Rel(fixtures, path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Check(filepath.ToSlash(name), fh)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func textOf(t *testing.T, results ...*Result) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, r := range results {
		if err := WriteText(&b, r, TextStyle{}); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestRuleFixtures: every rule has rules/ID.fail.xml, which produces at
// least one finding of that rule, and rules/ID.pass.xml, which produces no
// finding at all; the text output of each is a golden file.
func TestRuleFixtures(t *testing.T) {
	l, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		for _, kind := range []string{"fail", "pass"} {
			path := filepath.Join(fixtures, "rules", r.ID+"."+kind+".xml")
			if _, err := os.Stat(path); err != nil {
				t.Errorf("rule %s (%s) has no %s fixture: %v", r.ID, r.Name, kind, err)
				continue
			}
			res := checkFile(t, l, path)
			golden(t, strings.TrimSuffix(path, ".xml")+".golden", textOf(t, res))
			n := 0
			for _, f := range res.Findings {
				if f.Rule == r.ID {
					n++
				}
			}
			switch {
			case kind == "fail" && n == 0:
				t.Errorf("%s: no %s finding:\n%s", path, r.ID, textOf(t, res))
			case kind == "pass" && len(res.Findings) > 0:
				t.Errorf("%s: findings in a passing fixture:\n%s", path, textOf(t, res))
			}
			if !res.Rowset && r.ID != ruleID(rXMLSyntax) && r.ID != ruleID(rDoctype) {
				t.Errorf("%s: not recognized as a rowset-based message", path)
			}
		}
	}
}

// TestSamples: the seed's and the shared samples' messages pass clean;
// container message parts and the PsNonXml wrapper are not rowset
// messages and are not flagged.
func TestSamples(t *testing.T) {
	l, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	rowset := map[string]bool{
		"seed002-sdk-bus-exp-appr-msg.xml":      true,
		"sample10-its-loc-opunit-sync.xml":      true,
		"sample12-scc-constituent-fullsync.xml": true,
		"seed002-psnonxml-wrapper.xml":          false,
		"sample14-container-message-soap-1.xml": false,
		"sample14-container-message-soap-2.xml": false,
	}
	for name, want := range rowset {
		res := checkFile(t, l, filepath.Join(fixtures, "samples", name))
		if len(res.Findings) > 0 || res.Counts != (Counts{}) {
			t.Errorf("%s: findings:\n%s", name, textOf(t, res))
		}
		if res.Rowset != want {
			t.Errorf("%s: Rowset = %v, want %v", name, res.Rowset, want)
		}
	}
}

// formatInputs are the fixtures whose findings the format goldens show:
// an error, a warning and infos.
var formatInputs = []string{"rules/PSIB-L020.fail.xml", "rules/PSIB-L024.fail.xml", "rules/PSIB-L012.fail.xml", "samples/seed002-sdk-bus-exp-appr-msg.xml"}

func formatResults(t *testing.T, l *Linter) []*Result {
	var results []*Result
	for _, in := range formatInputs {
		results = append(results, checkFile(t, l, filepath.Join(fixtures, in)))
	}
	return results
}

// TestFormats: the same findings as text, JSON, SARIF and GitHub
// annotations.
func TestFormats(t *testing.T) {
	l, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	results := formatResults(t, l)
	golden(t, filepath.Join(fixtures, "formats.golden.txt"), textOf(t, results...))
	var b bytes.Buffer
	if err := WriteJSON(&b, results); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join(fixtures, "formats.golden.json"), b.Bytes())
	b.Reset()
	if err := l.WriteSARIF(&b, results, ToolInfo{Name: "psib", Version: "test", InformationURI: "https://github.com/psib-dev/psib"}); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join(fixtures, "formats.golden.sarif"), b.Bytes())
	b.Reset()
	for _, r := range results {
		if err := WriteGitHub(&b, r); err != nil {
			t.Fatal(err)
		}
	}
	golden(t, filepath.Join(fixtures, "formats.golden.github"), b.Bytes())

	var col bytes.Buffer
	mark := func(tag string) func(string) string {
		return func(s string) string { return "<" + tag + ">" + s + "</" + tag + ">" }
	}
	if err := WriteText(&col, results[1], TextStyle{Position: mark("b"), Error: mark("red"), Warning: mark("yellow"), Info: mark("cyan"), Rule: mark("dim")}); err != nil {
		t.Fatal(err)
	}
	if want := "<b>rules/PSIB-L024.fail.xml:31:25:</b> <yellow>warning</yellow> <dim>PSIB-L024</dim> CDATA section"; !strings.HasPrefix(col.String(), want) {
		t.Errorf("styled text: %s\nwant %s...", col.String(), want)
	}
}

// TestRulesDoc keeps pkg/lint/RULES.md, the rules' documentation that
// SARIF's helpUri points at, in step with the catalog.
func TestRulesDoc(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# psib lint rules\n\n<!-- Generated from pkg/lint/rules.go by `go test ./pkg/lint -update`; do not edit. -->\n\n")
	b.WriteString("Each rule has a stable ID. `psib lint --rules` lists them, `psib lint --explain ID` prints one,\n")
	b.WriteString("`--disable ID` or `.psib-lint.yaml` turns one off. Numbers are grouped: L00x structure, L01x declarations,\n")
	b.WriteString("L02x values, L03x PSCAMA and audit actions, L04x language and message sequence.\n\n")
	b.WriteString("| ID | name | severity | checks |\n|---|---|---|---|\n")
	for _, r := range Rules() {
		fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Name, r.Severity, strings.ReplaceAll(r.Summary, "|", "\\|"))
	}
	for _, r := range Rules() {
		fmt.Fprintf(&b, "\n## %s\n\n`%s`, %s: %s.\n\n%s\n", r.ID, r.Name, r.Severity, r.Summary, r.Explain)
	}
	golden(t, "RULES.md", b.Bytes())
}

func TestRuleCatalog(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if !strings.HasPrefix(r.ID, "PSIB-L") || r.Name == "" || r.Summary == "" || r.Explain == "" || r.Severity == 0 {
			t.Errorf("incomplete rule %+v", r)
		}
		if seen[r.Name] {
			t.Errorf("duplicate name %s", r.Name)
		}
		seen[r.Name] = true
		for _, key := range []string{r.ID, strings.ToLower(r.ID), r.Name} {
			if got, ok := LookupRule(key); !ok || got.ID != r.ID {
				t.Errorf("LookupRule(%q) = %v, %v", key, got.ID, ok)
			}
		}
	}
	for _, bad := range []string{"", "PSIB-L009", "PSIB-L999", "L001", "nope"} {
		if _, ok := LookupRule(bad); ok {
			t.Errorf("LookupRule(%q) found a rule", bad)
		}
	}
}

func TestOptions(t *testing.T) {
	path := filepath.Join(fixtures, "rules", "PSIB-L020.fail.xml")
	t.Run("disable", func(t *testing.T) {
		l, err := New(Options{Disable: []string{"date-value"}})
		if err != nil {
			t.Fatal(err)
		}
		if res := checkFile(t, l, path); len(res.Findings) != 0 || res.Counts.Errors != 0 {
			t.Errorf("disabled rule reported: %s", textOf(t, res))
		}
	})
	t.Run("severity", func(t *testing.T) {
		l, err := New(Options{Severity: map[string]Severity{"PSIB-L020": SeverityWarning}})
		if err != nil {
			t.Fatal(err)
		}
		res := checkFile(t, l, path)
		if res.Counts != (Counts{Warnings: 2}) || res.Findings[0].Severity != SeverityWarning {
			t.Errorf("counts %+v", res.Counts)
		}
	})
	t.Run("max per rule", func(t *testing.T) {
		l, err := New(Options{MaxPerRule: 1})
		if err != nil {
			t.Fatal(err)
		}
		res := checkFile(t, l, path)
		if len(res.Findings) != 1 || res.Counts.Errors != 2 || res.Omitted["PSIB-L020"] != 1 {
			t.Errorf("findings %d, counts %+v, omitted %v", len(res.Findings), res.Counts, res.Omitted)
		}
		if res.Counts.AtLeast(SeverityError) != 2 || res.Counts.AtLeast(SeverityInfo) != 2 {
			t.Errorf("AtLeast: %+v", res.Counts)
		}
	})
	t.Run("message", func(t *testing.T) {
		l, err := New(Options{Message: "OTHER_MSG"})
		if err != nil {
			t.Fatal(err)
		}
		res := checkFile(t, l, filepath.Join(fixtures, "rules", "PSIB-L020.pass.xml"))
		if len(res.Findings) != 1 || res.Findings[0].Rule != "PSIB-L003" || res.Findings[0].Line != 3 {
			t.Errorf("--message: %s", textOf(t, res))
		}
		// Not a rowset message: no complaint about its name.
		res = checkFile(t, l, filepath.Join(fixtures, "samples", "seed002-psnonxml-wrapper.xml"))
		if len(res.Findings) != 0 {
			t.Errorf("--message on a non-rowset document: %s", textOf(t, res))
		}
	})
	for _, bad := range []Options{
		{Disable: []string{"PSIB-L001"}},
		{Disable: []string{"doctype"}},
		{Disable: []string{"PSIB-L099"}},
		{Severity: map[string]Severity{"nope": SeverityError}},
		{Severity: map[string]Severity{"PSIB-L020": 9}},
		{MaxPerRule: -1},
	} {
		if _, err := New(bad); err == nil {
			t.Errorf("New(%+v): no error", bad)
		}
	}
}

// TestValueChecks holds the hand-written value checks to pkg/ibmsg's
// parsers, the reference for PeopleSoft dates and timestamps.
func TestValueChecks(t *testing.T) {
	for _, v := range []string{"1998-08-22", "2000-02-29", "1900-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "98-08-22", "1998-8-22", "1998/08/22", "abcd-ef-gh", "2024-01-01T00:00:00"} {
		ok := checkDate([]byte(v)) == ""
		_, err := parseDateRef(v)
		if ok != (err == nil) {
			t.Errorf("checkDate(%q) ok=%v, ibmsg.ParseDate: %v", v, ok, err)
		}
	}
	for _, v := range []string{
		"2024-03-01T09:30:00.000000-0800", "2024-03-01T09:30:00-0800", "2024-03-01T09:30:00.1+0000", "2024-03-01T09:30:00.123456789+0530",
		"2024-03-01T09:30:00.000000", "2024-03-01T09:30:00Z", "2024-03-01T09:30:00+08:00", "2024-03-01T24:30:00-0800",
		"2024-02-30T09:30:00-0800", "2024-03-01T09:30:00.-0800", "2024-03-01T09:30:00.0000000000-0800", "2024-03-01t09:30:00-0800",
		"2024-03-01T09:30:00-08", "2024-03-01T09:30:00 -0800",
	} {
		ok := checkTimestamp([]byte(v)) == ""
		_, err := parseTimestampRef(v)
		if ok != (err == nil) {
			t.Errorf("checkTimestamp(%q) ok=%v (%s), ibmsg.ParseTimestamp: %v", v, ok, checkTimestamp([]byte(v)), err)
		}
		// Whatever ibmsg calls timestamp-shaped, lint checks as a timestamp
		// (lint also checks values that only start like one).
		if looksLikeTimestampRef(v) && !looksLikeTimestamp([]byte(v)) {
			t.Errorf("looksLikeTimestamp(%q) = false, ibmsg.LooksLikeTimestamp true", v)
		}
	}
	for v, want := range map[string]bool{"0": true, "-3": true, "+10": true, "45.690": true, ".5": true, "5.": true, "-.5": true,
		"": false, "-": false, ".": false, "1,000": false, "1e3": false, "$5": false, "1.2.3": false, " 5": false, "NaN": false} {
		if got := isNumber([]byte(v)); got != want {
			t.Errorf("isNumber(%q) = %v", v, got)
		}
	}
	if got := string(appendUnescaped(nil, []byte("a&lt;b&gt;&amp;&apos;&quot;&#65;&#x42;&#x1F600;"))); got != "a<b>&'\"AB\U0001F600" {
		t.Errorf("appendUnescaped: %q", got)
	}
}

// TestStreamingEdgeCases: a value split across reads and windows, CDATA in
// a value, references in values, CRLF files, columns after multi-byte
// characters, a UTF-16 message.
func TestStreamingEdgeCases(t *testing.T) {
	base, err := os.ReadFile(filepath.Join(fixtures, "rules", "PSIB-L020.fail.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := textOf(t, mustCheck(t, Options{}, "m.xml", base))
	for _, size := range []int{128, 129, 200, 333} {
		l, _ := New(Options{})
		l.bufSize = size
		res, err := l.Check("m.xml", bytes.NewReader(base))
		if err != nil {
			t.Fatal(err)
		}
		if got := textOf(t, res); !bytes.Equal(got, want) {
			t.Errorf("window %d:\n%s\nwant\n%s", size, got, want)
		}
	}
	crlf := bytes.ReplaceAll(base, []byte("\n"), []byte("\r\n"))
	if got := textOf(t, mustCheck(t, Options{}, "m.xml", crlf)); !bytes.Equal(got, want) {
		t.Errorf("CRLF:\n%s\nwant\n%s", got, want)
	}
	ref := bytes.Replace(base, []byte("1981-02-29"), []byte("1981-02-&#50;9"), 1)
	if got := textOf(t, mustCheck(t, Options{}, "m.xml", ref)); !bytes.Contains(got, []byte(`holds "1981-02-29"`)) {
		t.Errorf("reference in a value: %s", got)
	}
	wide := bytes.Replace(base, []byte("<BIRTHDATE>"), []byte("<BIRTHDATE>\u65e5"), 1)
	if got := textOf(t, mustCheck(t, Options{}, "m.xml", wide)); !bytes.Contains(got, []byte("m.xml:27:20: error PSIB-L020 DATE field BIRTHDATE holds \"\u65e51981-02-29\"")) {
		t.Errorf("multi-byte value: %s", got)
	}
	after := bytes.Replace(base, []byte("<EFFDT>01/01/2020</EFFDT>"), []byte("<!--\u00e9\u00e9--><EFFDT>01/01/2020</EFFDT>"), 1)
	if got := textOf(t, mustCheck(t, Options{}, "m.xml", after)); !bytes.Contains(got, []byte("m.xml:32:27:")) {
		t.Errorf("columns after multi-byte characters count characters: %s", got)
	}
}

func mustCheck(t *testing.T, o Options, name string, data []byte) *Result {
	t.Helper()
	l, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Check(name, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestMoreRuleCases covers branches the one-per-rule fixtures leave out.
func TestMoreRuleCases(t *testing.T) {
	base, err := os.ReadFile(filepath.Join(fixtures, "rules", "PSIB-L020.pass.xml"))
	if err != nil {
		t.Fatal(err)
	}
	edit := func(pairs ...string) []byte {
		d := string(base)
		for i := 0; i < len(pairs); i += 2 {
			if !strings.Contains(d, pairs[i]) {
				t.Fatalf("fixture lacks %q", pairs[i])
			}
			d = strings.Replace(d, pairs[i], pairs[i+1], 1)
		}
		return []byte(d)
	}
	for _, tc := range []struct {
		name string
		doc  []byte
		want []string // "line:col RULE" or "RULE" substrings of the text output
	}{
		{"duplicate FieldTypes", edit("  <MsgData>", "  <FieldTypes/>\n  <MsgData>"), []string{"PSIB-L004 a second FieldTypes"}},
		{"no MsgData", edit("  <MsgData>", "  <NotData>", "  </MsgData>", "  </NotData>"), []string{"PSIB-L005 the message has no MsgData", "PSIB-L008 <NotData>"}},
		{"record declared twice", edit("    <PSCAMA class=\"R\">\n      <LANGUAGE_CD", "    <PSIB_ADDR class=\"R\"/>\n    <PSCAMA class=\"R\">\n      <LANGUAGE_CD"), []string{"PSIB-L017 record PSIB_ADDR is declared twice"}},
		{"no class in FieldTypes", edit(`<PSIB_ADDR class="R">`, `<PSIB_ADDR>`), []string{"PSIB-L013 record PSIB_ADDR in FieldTypes has no class"}},
		{"no type", edit(`<EMPLID type="CHAR"/>`, `<EMPLID/>`), []string{"PSIB-L014 field PSIB_PERSON.EMPLID has no type"}},
		{"element in a field declaration", edit(`<EMPLID type="CHAR"/>`, `<EMPLID type="CHAR"><X/></EMPLID>`), []string{"PSIB-L008 element <X> inside the declaration of field EMPLID"}},
		{"PSCAMA first in a record", edit("      <PSIB_PERSON class=\"R\">\n", "      <PSIB_PERSON class=\"R\">\n        <PSCAMA class=\"R\"><AUDIT_ACTN>C</AUDIT_ACTN></PSCAMA>\n"), []string{"PSIB-L033 a PSCAMA first in PSIB_PERSON"}},
		{"PSCAMA after a field", edit("        <PSIB_ADDR class=\"R\">", "        <PSCAMA class=\"R\"><AUDIT_ACTN>C</AUDIT_ACTN></PSCAMA>\n        <PSIB_ADDR class=\"R\">"), []string{"PSIB-L033 a PSCAMA after a field of PSIB_PERSON"}},
		{"two PSCAMAs after a row", edit("        </PSCAMA>\n      </PSIB_PERSON>", "        </PSCAMA>\n        <PSCAMA class=\"R\"/>\n      </PSIB_PERSON>"), []string{"PSIB-L033 a PSCAMA right after another PSCAMA"}},
		{"level-0 PSCAMA not last", edit("    </Transaction>", "      <PSIB_PERSON class=\"R\"><EMPLID>X</EMPLID></PSIB_PERSON>\n    </Transaction>"), []string{"PSIB-L033 this PSCAMA is not the last record of its Transaction", "PSIB-L030"}},
		{"DATETIME field", edit(`<LASTUPDDTTM type="CHAR"/>`, `<LASTUPDDTTM type="DATETIME"/>`, "2024-03-01T09:30:00.000000-0800", "2024-03-01"), []string{"PSIB-L015", "PSIB-L022 DATETIME field LASTUPDDTTM holds \"2024-03-01\": not a PeopleSoft timestamp"}},
		{"Z offset", edit("2024-03-01T09:30:00.000000-0800", "2024-03-01T09:30:00Z"), []string{"PSIB-L022 field LASTUPDDTTM holds \"2024-03-01T09:30:00Z\": PeopleSoft writes the offset as ±hhmm, not Z: write 2024-03-01T09:30:00+0000"}},
		{"colon offset", edit("2024-03-01T09:30:00.000000-0800", "2024-03-01T09:30:00-08:00"), []string{"write 2024-03-01T09:30:00-0800"}},
		{"long DATE", edit("<BIRTHDATE>1980-02-29</BIRTHDATE>", "<BIRTHDATE>"+strings.Repeat("9", 300)+"</BIRTHDATE>"), []string{"PSIB-L020 DATE field BIRTHDATE holds a 300-byte value"}},
		{"long NUMBER", edit("<SALARY>52000.50</SALARY>", "<SALARY>"+strings.Repeat("9", 300)+"</SALARY>"), []string{"PSIB-L021 NUMBER field SALARY holds a 300-byte value"}},
		{"empty LANGUAGE_CD", edit("<LANGUAGE_CD>ENG</LANGUAGE_CD>", "<LANGUAGE_CD/>"), []string{"PSIB-L040 LANGUAGE_CD is empty"}},
		{"header with data", edit("<MSG_SEQ_FLG/>", "<MSG_SEQ_FLG>H</MSG_SEQ_FLG>"), []string{"PSIB-L043 MSG_SEQ_FLG H marks a header message"}},
		{"text in MsgData", edit("  <MsgData>", "  <MsgData>\n    stray"), []string{`PSIB-L008 text "stray" in MsgData`}},
		{"text in the message", edit("  <MsgData>", "  stray\n  <MsgData>"), []string{`PSIB-L008 text "stray" in the message element`}},
		{"text in the message before rowset-ness is known", edit("  <FieldTypes>", "  stray\n  <FieldTypes>"), []string{"m.xml:4:3: error PSIB-L008 text in the message element"}},
		{"IsChanged on a record is not checked", edit(`        <PSIB_ADDR class="R">`, `        <PSIB_ADDR class="R" IsChanged="Y">`), nil},
		{"level-0 K without N", edit("<AUDIT_ACTN>C</AUDIT_ACTN>", "<AUDIT_ACTN>K</AUDIT_ACTN>"), []string{"PSIB-L035 PSIB_PERSON row with AUDIT_ACTN K (original of a key change) has no N row (the changed key) among the message's Transactions"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := string(textOf(t, mustCheck(t, Options{}, "m.xml", tc.doc)))
			if len(tc.want) == 0 && got != "" {
				t.Errorf("want no findings, got\n%s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("want %q in\n%s", w, got)
				}
			}
		})
	}
}

// TestUndeclaredReportedOnce: an undeclared record or field in every
// Transaction of a FULLSYNC is reported once, not once per row.
func TestUndeclaredReportedOnce(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`<M><FieldTypes><R class="R"><F type="CHAR"/></R><PSCAMA class="R"><LANGUAGE_CD type="CHAR"/><AUDIT_ACTN type="CHAR"/></PSCAMA></FieldTypes><MsgData>`)
	for i := 0; i < 100; i++ {
		b.WriteString(`<Transaction><R class="R"><F>x</F><G>y</G><S class="R"><F>z</F></S></R><PSCAMA class="R"><LANGUAGE_CD>ENG</LANGUAGE_CD><AUDIT_ACTN/></PSCAMA></Transaction>`)
	}
	b.WriteString(`</MsgData></M>`)
	res := mustCheck(t, Options{}, "m.xml", b.Bytes())
	if res.Counts.Errors != 2 {
		t.Errorf("want one undeclared-field and one undeclared-record finding:\n%s", textOf(t, res))
	}
}

// The references the hand-written value checks are held to.
func parseDateRef(s string) (any, error)      { return ibmsg.ParseDate(s) }
func parseTimestampRef(s string) (any, error) { return ibmsg.ParseTimestamp(s) }
func looksLikeTimestampRef(s string) bool     { return ibmsg.LooksLikeTimestamp(s) }
