package gwlog

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/gwlog")

// goldenEvent is one thing Decode hands on, with what the JSON contract
// leaves out (the log context, the problems) so that goldens show it.
type goldenEvent struct {
	Record      *Record  `json:"record,omitempty"`
	LogTime     string   `json:"log_time,omitempty"`
	Description string   `json:"description,omitempty"`
	Connector   string   `json:"connector,omitempty"`
	EndLine     int      `json:"end_line,omitempty"`
	HTTP        string   `json:"http,omitempty"`
	Paired      bool     `json:"paired,omitempty"`
	Problems    []string `json:"problems,omitempty"`
	Error       string   `json:"error,omitempty"`
}

// decodeGolden decodes a fixture the way the golden files show it.
func decodeGolden(t *testing.T, path, name string, o Options) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = Decode(context.Background(), r, name, o, func(rec *Record, err error) error {
		ev := goldenEvent{Record: rec}
		if rec != nil {
			ev.LogTime, ev.Description, ev.Connector, ev.EndLine, ev.Paired, ev.Problems = rec.LogTime, rec.Description, rec.Connector, rec.EndLine, rec.Paired, rec.Problems
			if rec.HTTP != nil {
				ev.HTTP = rec.HTTP.String()
			}
		}
		if err != nil {
			ev.Error = err.Error()
		}
		enc, jerr := json.MarshalIndent(ev, "", "  ")
		if jerr != nil {
			t.Fatal(jerr)
		}
		b.Write(enc)
		b.WriteString("\n")
		return nil
	})
	if err != nil {
		t.Fatalf("Decode %s: %v", path, err)
	}
	return b.Bytes()
}

func compareGolden(t *testing.T, golden string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/gwlog -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the decoded input (run with -update and review the diff):\n%s", golden, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + a + "\n  got  " + b
		}
	}
	return ""
}

// goldenInputs lists every fixture that has (or gets) a golden file.
func goldenInputs(t *testing.T) []string {
	var ins []string
	for _, pattern := range []string{"*", "samples/*", "seeds/*", "emulator/*"} {
		files, err := filepath.Glob(filepath.Join(fixtureDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			base := filepath.Base(f)
			if fi, err := os.Stat(f); err != nil || fi.IsDir() || strings.HasSuffix(base, ".golden") || base == "README.md" {
				continue
			}
			ins = append(ins, f)
		}
	}
	return ins
}

// TestGolden decodes every fixture (logs in several layouts, captures, the
// seeds' examples, the shared samples, the emulator's logs) and compares
// the records, problems and errors with its .golden file.
func TestGolden(t *testing.T) {
	ins := goldenInputs(t)
	if len(ins) < 10 {
		t.Fatalf("only %d fixtures in %s", len(ins), fixtureDir)
	}
	for _, in := range ins {
		rel, _ := filepath.Rel(fixtureDir, in)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			got := decodeGolden(t, in, filepath.ToSlash(rel), Options{Location: time.UTC})
			compareGolden(t, in+".golden", got)
			// One worker or many, the result is the same.
			if one := decodeGolden(t, in, filepath.ToSlash(rel), Options{Workers: 1, Location: time.UTC}); !bytes.Equal(one, got) {
				t.Errorf("one worker decodes %s differently", rel)
			}
		})
	}
}

// TestEmulatorSession runs a scripted session against psib's emulator
// (posts, publishes, errors, faults), decodes the logs it wrote, and
// compares with the goldens of the committed copies in
// testdata/gwlog/emulator (rewritten with -update-fixtures).
func TestEmulatorSession(t *testing.T) {
	dir := t.TempDir()
	runEmulatorSession(t, dir)
	for _, name := range []string{"msgLog.html", "errorLog.html"} {
		live := filepath.Join(dir, name)
		committed := filepath.Join(fixtureDir, "emulator", name)
		if *updateFixtures {
			data, err := os.ReadFile(live)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(committed), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(committed, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		// The emulator writes response headers in map order: the files
		// differ in line order there, not in what decodes from them.
		got := decodeGolden(t, live, "emulator/"+name, Options{Location: time.UTC})
		compareGolden(t, committed+".golden", got)
	}
}
