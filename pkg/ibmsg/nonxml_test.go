package ibmsg

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestNonXMLRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		root string
		data string
	}{
		{"plain text", "", "101 123456789 12345678902"},
		{"contains ]]>", "AsyncRequest", "a]]>b]]>]]>c"},
		{"ends with ]]", "", "trailing ]]"},
		{"leading and trailing whitespace", "", "  \n\t leading and trailing \t\n  "},
		{"CRLF line ends are kept", "", "line1\r\nline2\r\n"},
		{"lone CR is kept", "", "a\rb"},
		{"markup", "FileWrapper", `<?xml version="1.0"?><not-parsed a="&amp;">&lt;</not-parsed>`},
		{"CDATA opener inside", "", "x<![CDATA[y"},
		{"UTF-8", "", "café ☕ 日本"},
		{"empty", "", ""},
		{"whitespace only", "", "   "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := WrapNonXML(tt.root, []byte(tt.data))
			if err := CheckXML(doc); err != nil {
				t.Fatalf("WrapNonXML wrote bad XML: %v\n%s", err, doc)
			}
			root := tt.root
			if root == "" {
				root = "AsyncRequest"
			}
			if r, _ := RootElement(doc); r != root {
				t.Errorf("root <%s>, want <%s>", r, root)
			}
			got, ok, err := UnwrapNonXML(doc)
			if err != nil || !ok {
				t.Fatalf("UnwrapNonXML = %q, %v, %v", got, ok, err)
			}
			if string(got) != tt.data {
				t.Errorf("round trip: got %q, want %q\n%s", got, tt.data, doc)
			}
		})
	}
}

func TestUnwrapNonXMLDocuments(t *testing.T) {
	t.Parallel()
	const ach = `<?xml version="1.0"?>101 123456789 12345678902 0510145 60094101First Bank First Bank 5200 University 000001 PPDDIRECT PAY020510020510000112345678000000162200000111 222 0000001000USA0000001 USA0000001 0000001110000001627123456 789131415511 0000001000 University 0123456780000 002 82000000020012345789000000001000000000001000 123456780000001 900000100000100000002001234578900000000100000000000100099999999999999999 999999999999999999999999999999999999999999999999999999999999999999999999 `
	tests := []struct {
		name string
		doc  string
		want string
		ok   bool
	}{
		{
			// Seed 002's example, as rendered there (layout spaces around
			// the CDATA are not part of the payload).
			name: "seed 002 example",
			doc:  `<?xml version="1.0"?> <AsyncRequest> <data PsNonXml="Yes"> <![CDATA[` + ach + `]]> </data> </AsyncRequest>`,
			want: ach, ok: true,
		},
		{
			name: "lower-case psnonxml=\"yes\" (ConnectorRequest example)",
			doc:  `<?xml version="1.0"?><root><data psnonxml="yes"><![CDATA[a,b,c]]></data></root>`,
			want: "a,b,c", ok: true,
		},
		{
			name: "attribute value with spaces and upper case",
			doc:  `<root><data PSNONXML=" YES "><![CDATA[x]]></data></root>`,
			want: "x", ok: true,
		},
		{
			name: "split CDATA sections",
			doc:  "<root>\n  <data PsNonXml=\"Yes\">\n    <![CDATA[a]]]]><![CDATA[>b]]>\n  </data>\n</root>",
			want: "a]]>b", ok: true,
		},
		{
			name: "no CDATA: escaped text, trimmed",
			doc:  `<root><data PsNonXml="Yes">  a &amp; b &lt;c&gt;  </data></root>`,
			want: "a & b <c>", ok: true,
		},
		{
			name: "data after another child",
			doc:  `<root><header>h</header><data PsNonXml="Yes"><![CDATA[payload]]></data></root>`,
			want: "payload", ok: true,
		},
		{name: "data without the attribute", doc: `<root><data><![CDATA[x]]></data></root>`},
		{name: "PsNonXml=No", doc: `<root><data PsNonXml="No"><![CDATA[x]]></data></root>`},
		{name: "attribute on the root", doc: `<data PsNonXml="Yes"><![CDATA[x]]></data>`},
		{name: "attribute too deep", doc: `<root><a><data PsNonXml="Yes"><![CDATA[x]]></data></a></root>`},
		{name: "ordinary document", doc: `<?xml version="1.0"?><response><helloworld>Hello</helloworld></response>`},
		{name: "plain text, not XML at all", doc: "101 123456789 plain ACH text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := UnwrapNonXML([]byte(tt.doc))
			if err != nil {
				t.Fatalf("UnwrapNonXML: %v", err)
			}
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v (data %q)", ok, tt.ok, got)
			}
			if !tt.ok {
				if got != nil {
					t.Errorf("data %q returned with ok=false", got)
				}
				return
			}
			if string(got) != tt.want {
				t.Errorf("data = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUnwrapNonXMLErrors(t *testing.T) {
	t.Parallel()
	_, ok, err := UnwrapNonXML([]byte(`<!DOCTYPE root [<!ENTITY x SYSTEM "file:///etc/passwd">]><root><data PsNonXml="Yes">&x;</data></root>`))
	if !errors.Is(err, ErrUnsafeXML) || ok {
		t.Errorf("DOCTYPE: ok %v err %v, want ErrUnsafeXML", ok, err)
	}
	for _, doc := range []string{
		`<root><data PsNonXml="Yes"><![CDATA[x]]></root>`,
		`<root><data PsNonXml="Yes"><![CDATA[never closed`,
	} {
		_, ok, err := UnwrapNonXML([]byte(doc))
		var se *SyntaxError
		if !errors.As(err, &se) || ok {
			t.Errorf("UnwrapNonXML(%q): ok %v err %v, want *SyntaxError", doc, ok, err)
		}
	}
}

func TestWrapNonXMLForm(t *testing.T) {
	t.Parallel()
	got := string(WrapNonXML("", []byte("x]]>y")))
	want := "<?xml version=\"1.0\"?>\n<AsyncRequest><data PsNonXml=\"Yes\"><![CDATA[x]]]]><![CDATA[>y]]></data></AsyncRequest>\n"
	if got != want {
		t.Errorf("WrapNonXML:\n got %q\nwant %q", got, want)
	}
	if !bytes.Contains(WrapNonXML("R", nil), []byte("<R><data PsNonXml=\"Yes\"><![CDATA[]]></data></R>")) {
		t.Errorf("WrapNonXML with nil data")
	}
	if strings.Count(got, "<![CDATA[") != 2 {
		t.Errorf("expected the ]]> to be split across two CDATA sections: %s", got)
	}
}
