package ibmsg

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

const fixtures = "../../testdata/ibmsg"

// golden compares got with the named golden file (or rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(fixtures, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./pkg/ibmsg -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// messageView is what the golden JSON records of a parsed message.
type messageView struct {
	Header    Header        `json:"header"`
	IBInfo    *IBInfo       `json:"ibinfo"`
	IBInfoErr string        `json:"ibinfo_error,omitempty"`
	Sections  []sectionView `json:"sections"`
	Warnings  []string      `json:"warnings,omitempty"`
}

type sectionView struct {
	ID          string      `json:"id"`
	Header      Header      `json:"header"`
	Base64      bool        `json:"base64"`
	Compression Compression `json:"compression"`
	RawBytes    int         `json:"raw_bytes"`
	Body        string      `json:"body"`
	Err         string      `json:"error,omitempty"`
}

func viewOf(m *Message) messageView {
	v := messageView{Header: m.Header, IBInfo: m.IBInfo, Warnings: m.Warnings, Sections: []sectionView{}}
	if m.IBInfoErr != nil {
		v.IBInfoErr = m.IBInfoErr.Error()
	}
	for _, s := range m.Sections {
		sv := sectionView{ID: s.ID(), Header: s.Header, Base64: s.Encoding.Base64, Compression: s.Encoding.Compression, RawBytes: s.RawBytes, Body: string(s.Body)}
		if s.Err != nil {
			sv.Err = s.Err.Error()
		}
		v.Sections = append(v.Sections, sv)
	}
	return v
}

func toJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestMessageGolden parses every MIME fixture, compares what was read with
// NAME.golden.json, re-encodes it (NAME.golden.mime), and checks that the
// re-encoded message reads back to the same IBInfo and section bodies.
func TestMessageGolden(t *testing.T) {
	inputs, _ := filepath.Glob(filepath.Join(fixtures, "*.mime"))
	n := 0
	for _, in := range inputs {
		if strings.Contains(in, ".golden.") {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(in), ".mime")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			m, err := ParseMessage(data, Limits{})
			if err != nil {
				// Inputs that cannot be read record their error message.
				golden(t, name+".golden.err", []byte(err.Error()+"\n"))
				return
			}
			golden(t, name+".golden.json", toJSON(t, viewOf(m)))
			if m.IBInfo == nil && m.IBInfoRaw == nil {
				return
			}
			out, err := m.Bytes()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			golden(t, name+".golden.mime", out)

			back, err := ParseMessage(out, Limits{})
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			if len(back.Warnings) != 0 {
				t.Errorf("re-encoded message needed repairs: %v", back.Warnings)
			}
			if !reflect.DeepEqual(back.IBInfo, m.IBInfo) {
				t.Errorf("IBInfo changed in the round trip:\n%s\nvs\n%s", toJSON(t, back.IBInfo), toJSON(t, m.IBInfo))
			}
			if len(back.Sections) != len(m.Sections) {
				t.Fatalf("sections: %d after the round trip, %d before", len(back.Sections), len(m.Sections))
			}
			for i := range m.Sections {
				if !bytes.Equal(back.Sections[i].Body, m.Sections[i].Body) {
					t.Errorf("section %d body changed:\n%q\nvs\n%q", i, back.Sections[i].Body, m.Sections[i].Body)
				}
				if back.Sections[i].Encoding != m.Sections[i].Encoding {
					t.Errorf("section %d encoding %+v, was %+v", i, back.Sections[i].Encoding, m.Sections[i].Encoding)
				}
			}
		})
	}
	if n < 8 {
		t.Fatalf("only %d MIME fixtures found in %s", n, fixtures)
	}
}
