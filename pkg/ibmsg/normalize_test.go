package ibmsg

import (
	"reflect"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestToUTF8XML(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="%s"?><n>Grüße €</n>`
	u16 := func(e unicode.Endianness, bom unicode.BOMPolicy) string {
		b, _ := unicode.UTF16(e, bom).NewEncoder().Bytes([]byte(strings.Replace(doc, "%s", "UTF-16", 1)))
		return string(b)
	}
	latin, _ := charmap.Windows1252.NewEncoder().Bytes([]byte(strings.Replace(doc, "%s", "windows-1252", 1)))
	want := strings.Replace(doc, "%s", "UTF-8", 1)
	tests := []struct{ name, in, want string }{
		{"utf-8 as is", strings.Replace(doc, "%s", "UTF-8", 1), want},
		{"utf-8 BOM", "\xef\xbb\xbf" + want, want},
		{"utf-16le BOM", u16(unicode.LittleEndian, unicode.UseBOM), want},
		{"utf-16be BOM", u16(unicode.BigEndian, unicode.UseBOM), want},
		{"utf-16le no BOM", u16(unicode.LittleEndian, unicode.IgnoreBOM), want},
		{"windows-1252 declared", string(latin), want},
		{"no declaration", "<n>ok</n>", "<n>ok</n>"},
	}
	for _, tt := range tests {
		got, err := ToUTF8XML([]byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("%s: %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	if _, err := ToUTF8XML([]byte("<n>\n\xff</n>")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if _, err := ToUTF8XML([]byte(`<?xml version="1.0" encoding="klingon"?><n/>`)); err == nil {
		t.Error("unknown encoding accepted")
	}
}

// FuzzFindDeclEncoding checks that the shortcut answers as the regular
// expression does: the same match, or none.
func FuzzFindDeclEncoding(f *testing.F) {
	for _, s := range []string{`<?xml version="1.0" encoding="UTF-8"?><a/>`, ` <?xml encoding='latin1'?>`, "\f<?xml?encoding=\"x\"",
		`<?xml version="1.0"?><a encoding="x"/>`, `<a/>`, "\v<?xml encoding=\"x\"?>", `<?xmlencoding="x"`, `<?xml encoding = "" ?>`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if got, want := findDeclEncoding(data), declEncodingAttr.FindSubmatch(data); !reflect.DeepEqual(got, want) {
			t.Fatalf("findDeclEncoding(%q) = %q; the expression gives %q", data, got, want)
		}
	})
}
