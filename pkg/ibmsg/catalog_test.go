package ibmsg

import (
	"strings"
	"testing"
)

func TestCatalogLookupMustHave(t *testing.T) {
	tests := []struct {
		set, number int
		class       Class
		title       string
	}{
		{158, 10000, ClassOK, "Integration Broker Response Message"},
		{158, 10721, ClassContact, "External System Contact Error"},
		{158, 10408, ClassGateway, "Integration Gateway Error"},
		{158, 45, ClassAuth, "User password failed"},
		{158, 55, ClassAuth, "UserName not defined in database"},
		{158, 536, ClassAuth, "not authorized to invoke Service Operation"},
		{159, 5, ClassApplication, "XML parser error"},
		{94, 1, ClassApplication, "Publish Subscribe Message Exception"},
	}
	for _, tt := range tests {
		e, ok := LookupCatalog(tt.set, tt.number)
		if !ok {
			t.Errorf("LookupCatalog(%d, %d): not found", tt.set, tt.number)
			continue
		}
		if e.Set != tt.set || e.Number != tt.number {
			t.Errorf("LookupCatalog(%d, %d) returned entry %d/%d", tt.set, tt.number, e.Set, e.Number)
		}
		if e.Class != tt.class {
			t.Errorf("LookupCatalog(%d, %d).Class = %v, want %v", tt.set, tt.number, e.Class, tt.class)
		}
		if !strings.Contains(e.Title, tt.title) {
			t.Errorf("LookupCatalog(%d, %d).Title = %q, want it to contain %q", tt.set, tt.number, e.Title, tt.title)
		}
	}
}

func TestCatalogLookupUnknown(t *testing.T) {
	for _, p := range [][2]int{{158, 999999}, {0, 0}, {-1, 45}, {45, 158}} {
		e, ok := LookupCatalog(p[0], p[1])
		if ok {
			t.Errorf("LookupCatalog(%d, %d) = %+v, true; want false", p[0], p[1], e)
		}
		if e != (CatalogEntry{}) {
			t.Errorf("LookupCatalog(%d, %d) returned non-zero entry %+v", p[0], p[1], e)
		}
		if e.Class != ClassUnknown {
			t.Errorf("LookupCatalog(%d, %d).Class = %v, want unknown", p[0], p[1], e.Class)
		}
	}
}

func TestCatalogEntriesSortedUnique(t *testing.T) {
	entries := CatalogEntries()
	if len(entries) == 0 {
		t.Fatal("CatalogEntries() is empty")
	}
	for i := 1; i < len(entries); i++ {
		a, b := entries[i-1], entries[i]
		if a.Set > b.Set || (a.Set == b.Set && a.Number >= b.Number) {
			t.Errorf("entries not strictly sorted/unique at %d: %d/%d then %d/%d", i, a.Set, a.Number, b.Set, b.Number)
		}
	}
	// The raw table must already be in order, so the literal stays readable.
	raw := catalogTable()
	for i := range raw {
		if raw[i].Set != entries[i].Set || raw[i].Number != entries[i].Number {
			t.Errorf("catalogTable()[%d] = %d/%d, sorted order has %d/%d; keep the literal sorted",
				i, raw[i].Set, raw[i].Number, entries[i].Set, entries[i].Number)
		}
	}
}

func TestCatalogEntriesComplete(t *testing.T) {
	for _, e := range CatalogEntries() {
		if strings.TrimSpace(e.Title) == "" {
			t.Errorf("%d/%d: empty Title", e.Set, e.Number)
		}
		for name, v := range map[string]string{"Meaning": e.Meaning, "Action": e.Action, "Source": e.Source} {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%d/%d: empty %s", e.Set, e.Number, name)
			}
		}
		if e.Class == ClassUnknown {
			t.Errorf("%d/%d: Class is ClassUnknown", e.Set, e.Number)
		}
		if strings.HasPrefix(e.Class.String(), "Class(") {
			t.Errorf("%d/%d: Class %d out of range", e.Set, e.Number, int(e.Class))
		}
		got, ok := LookupCatalog(e.Set, e.Number)
		if !ok || got != e {
			t.Errorf("LookupCatalog(%d, %d) disagrees with CatalogEntries", e.Set, e.Number)
		}
	}
}

func TestCatalogFormat(t *testing.T) {
	e, ok := LookupCatalog(158, 536)
	if !ok {
		t.Fatal("158/536 missing")
	}
	tests := []struct {
		name   string
		params []string
		want   string
	}{
		{"both", []string{"PS", "X"}, "User PS not authorized to invoke Service Operation X."},
		{"one missing", []string{"PS"}, "User PS not authorized to invoke Service Operation %2."},
		{"none", nil, "User %1 not authorized to invoke Service Operation %2."},
		{"extra ignored", []string{"PS", "X", "Y"}, "User PS not authorized to invoke Service Operation X."},
		{"no rescan", []string{"%2", "X"}, "User %2 not authorized to invoke Service Operation X."},
	}
	for _, tt := range tests {
		if got := e.Format(tt.params); got != tt.want {
			t.Errorf("%s: Format(%q) = %q, want %q", tt.name, tt.params, got, tt.want)
		}
	}

	custom := CatalogEntry{Title: "a %1 b %2 c %3 d %9 e %0 f %% g %"}
	got := custom.Format([]string{"1", "2"})
	want := "a 1 b 2 c %3 d %9 e %0 f %% g %"
	if got != want {
		t.Errorf("custom Format = %q, want %q", got, want)
	}
	if got := (CatalogEntry{Title: "plain"}).Format([]string{"x"}); got != "plain" {
		t.Errorf("plain Format = %q", got)
	}
	if strings.Contains(e.Format([]string{"PS", "X"}), "(158,536)") {
		t.Error("Format must not append the (set,number) suffix")
	}
}

func TestCatalogEntriesReturnsCopy(t *testing.T) {
	first := CatalogEntries()
	orig, ok := LookupCatalog(first[0].Set, first[0].Number)
	if !ok {
		t.Fatal("first entry not found")
	}
	for i := range first {
		first[i].Title = "mutated"
		first[i].Class = ClassUnknown
	}
	first[0].Number = -42

	again, ok := LookupCatalog(orig.Set, orig.Number)
	if !ok || again != orig {
		t.Errorf("lookup after mutating CatalogEntries() result = %+v, %v; want %+v", again, ok, orig)
	}
	second := CatalogEntries()
	if second[0] != orig {
		t.Errorf("second CatalogEntries()[0] = %+v, want %+v", second[0], orig)
	}
	for _, e := range second {
		if e.Title == "mutated" {
			t.Fatalf("CatalogEntries shares storage with an earlier result: %d/%d", e.Set, e.Number)
		}
	}
}

func TestCatalogClassString(t *testing.T) {
	want := map[Class]string{
		ClassUnknown:     "unknown",
		ClassOK:          "ok",
		ClassAuth:        "auth",
		ClassRouting:     "routing",
		ClassContact:     "contact",
		ClassGateway:     "gateway",
		ClassApplication: "application",
		Class(99):        "Class(99)",
	}
	for c, s := range want {
		if got := c.String(); got != s {
			t.Errorf("Class(%d).String() = %q, want %q", int(c), got, s)
		}
	}
}
