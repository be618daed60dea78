package ibmsg

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const worklistFixtures = "../../testdata/worklist"

// worklistGolden compares got with testdata/worklist/NAME (or rewrites it
// with -update).
func worklistGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(worklistFixtures, name)
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

func sampleCreate() *CreateRequest {
	return &CreateRequest{WLKeys: WLKeys{RequestMessageID: "EXT-2026-0001", BusinessProcessName: "Administer Workforce", ActivityName: "Hire",
		EventName: "Approve", WorklistName: "HR Approvals"}, OperatorID: "VP1", OriginatorID: "PS", Priority: "1",
		ApplicationData: []WLNameValue{{Name: "EMPLID", Value: "KU0001"}, {Name: "EFFDT", Value: "2026-03-01"}},
		AdditionalData:  []WLNameValue{{Name: "note", Value: "from the <vendor> & co"}}}
}

func sampleStatusResponse() *StatusResponse {
	return &StatusResponse{WLKeys: WLKeys{RequestMessageID: "EXT-2026-0001", BusinessProcessName: "Administer Workforce", ActivityName: "Hire",
		EventName: "Approve", WorklistName: "HR Approvals"}, InstanceID: 1, TransactionID: 7, InstanceStatus: WLInstanceWorked,
		ResponseStatus: WLResponseSent, WorkedOn: "2026-03-01T09:30:00.123000-0800",
		AdditionalData: []WLNameValue{{Name: "comment", Value: "approved"}}}
}

// The four documents in psib's assumed shape (docs/worklist.md shows the
// same), each read back to the same value.
func TestWorklistMarshalGoldenRoundTrip(t *testing.T) {
	create := sampleCreate()
	reply := &CreateResponse{WLKeys: WLKeys{RequestMessageID: "EXT-2026-0001", BusinessProcessName: "Administer Workforce", ActivityName: "Hire",
		EventName: "Approve", WorklistName: "HR Approvals"}, InstanceID: 1, TransactionID: 7, OperatorID: "VP1",
		InstanceStatus: WLInstanceWorked, WorkedOn: "2026-03-01T09:30:00.123000-0800",
		AdditionalData: []WLNameValue{{Name: "comment", Value: "approved"}}}
	status := &StatusRequest{WLKeys: WLKeys{RequestMessageID: "EXT-2026-0001", BusinessProcessName: "Administer Workforce", ActivityName: "Hire",
		EventName: "Approve", WorklistName: "HR Approvals"}, InstanceID: 1}
	statusReply := sampleStatusResponse()

	worklistGolden(t, "create-request.golden.xml", create.Marshal())
	worklistGolden(t, "create-response.golden.xml", reply.Marshal())
	worklistGolden(t, "status-request.golden.xml", status.Marshal())
	worklistGolden(t, "status-response.golden.xml", statusReply.Marshal())

	gotCreate, err := ParseCreateRequest(create.Marshal(), "")
	create.XMLName, _ = WLDefaultName(WLCreateRequest)
	if err != nil || !reflect.DeepEqual(gotCreate, create) {
		t.Errorf("create round trip: %v\n%+v\n%+v", err, gotCreate, create)
	}
	gotReply, err := ParseCreateResponse(reply.Marshal(), "")
	reply.XMLName, _ = WLDefaultName(WLCreateResponse)
	if err != nil || !reflect.DeepEqual(gotReply, reply) {
		t.Errorf("reply round trip: %v\n%+v\n%+v", err, gotReply, reply)
	}
	gotStatus, err := ParseStatusRequest(status.Marshal(), "")
	status.XMLName, _ = WLDefaultName(WLStatusRequest)
	if err != nil || !reflect.DeepEqual(gotStatus, status) {
		t.Errorf("status round trip: %v\n%+v\n%+v", err, gotStatus, status)
	}
	gotStatusReply, err := ParseStatusResponse(statusReply.Marshal(), "")
	statusReply.XMLName, _ = WLDefaultName(WLStatusResponse)
	if err != nil || !reflect.DeepEqual(gotStatusReply, statusReply) {
		t.Errorf("status reply round trip: %v\n%+v\n%+v", err, gotStatusReply, statusReply)
	}
}

func TestWorklistMarshalOptionalFields(t *testing.T) {
	minimal := (&CreateRequest{WLKeys: WLKeys{BusinessProcessName: "BP", ActivityName: "A", EventName: "E", WorklistName: "W"}, OperatorID: "PS",
		ApplicationData: []WLNameValue{{Name: "K", Value: ""}}}).Marshal()
	for _, absent := range []string{"RequestMessageID", "OriginatorID", "Priority", "AdditionalData"} {
		if bytes.Contains(minimal, []byte(absent)) {
			t.Errorf("optional %s written:\n%s", absent, minimal)
		}
	}
	if !bytes.Contains(minimal, []byte("<Value></Value>")) {
		t.Errorf("empty value: %s", minimal)
	}
	// Required fields are written even when empty (the receiver names them).
	if empty := (&CreateRequest{}).Marshal(); !bytes.Contains(empty, []byte("<OperatorID/>")) {
		t.Errorf("empty required field: %s", empty)
	}
	// No entry: the keys and ResponseStatus 0 only.
	none := (&StatusResponse{WLKeys: WLKeys{RequestMessageID: "X", BusinessProcessName: "BP", ActivityName: "A", EventName: "E", WorklistName: "W"},
		InstanceStatus: WLInstanceWorked, WorkedOn: "x", AdditionalData: []WLNameValue{{Name: "a", Value: "b"}}}).Marshal()
	for _, absent := range []string{"InstanceID", "TransactionID", "InstanceStatus", "WorkedOn", "AdditionalData"} {
		if bytes.Contains(none, []byte(absent)) {
			t.Errorf("no entry: %s written:\n%s", absent, none)
		}
	}
	if !bytes.Contains(none, []byte("<ResponseStatus>0</ResponseStatus>")) {
		t.Errorf("no entry: %s", none)
	}
	// A site's names: root and namespace from XMLName, none when Space is "".
	site := (&StatusRequest{XMLName: xml.Name{Space: "urn:site", Local: "GetStatus"}, WLKeys: WLKeys{RequestMessageID: "X"}}).Marshal()
	if !bytes.Contains(site, []byte(`<GetStatus xmlns="urn:site">`)) || !bytes.HasSuffix(site, []byte("</GetStatus>\n")) {
		t.Errorf("site names: %s", site)
	}
	bare := (&StatusRequest{XMLName: xml.Name{Local: "S"}}).Marshal()
	if !bytes.Contains(bare, []byte("<S>\n")) {
		t.Errorf("no namespace: %s", bare)
	}
}

// Parsing ignores namespaces and prefixes, finds fields below an extra
// level, and pairs several Name/Value pairs inside one section element.
func TestWorklistParseLenient(t *testing.T) {
	doc := `<?xml version="1.0" encoding="ISO-8859-1"?>
<s:CreateWorklistEntryData xmlns:s="urn:site:worklist"><s:Rec class="R">
  <s:RequestMessageID> LEN-1 </s:RequestMessageID><s:BusinessProcessName>BP</s:BusinessProcessName><s:ActivityName>A</s:ActivityName>
  <s:EventName>E</s:EventName><s:WorklistName>W</s:WorklistName><s:OperatorID>PS</s:OperatorID>
  <s:OperatorID>ignored: the first one wins</s:OperatorID><s:Priority>2</s:Priority></s:Rec>
  <s:ApplicationData><s:Name>EMPLID</s:Name><s:Value>1</s:Value><s:Name>EMPL_RCD</s:Name><s:Value>0</s:Value><s:Name>NAME</s:Name><s:Value>Ren` + "\xe9" + `e</s:Value></s:ApplicationData>
  <s:ApplicationData><s:Value>orphan</s:Value></s:ApplicationData>
</s:CreateWorklistEntryData>`
	r, err := ParseCreateRequest([]byte(doc), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []WLNameValue{{"EMPLID", "1"}, {"EMPL_RCD", "0"}, {"NAME", "Renée"}, {"", "orphan"}}
	if r.RequestMessageID != "LEN-1" || r.OperatorID != "PS" || r.Priority != "2" || !reflect.DeepEqual(r.ApplicationData, want) ||
		r.XMLName != (xml.Name{Space: "urn:site:worklist", Local: "CreateWorklistEntryData"}) {
		t.Errorf("parsed %+v", r)
	}
	if got := r.NamedApplicationData(); len(got) != 3 {
		t.Errorf("named pairs %+v", got)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("valid request: %v", err)
	}
	// Another root name when the caller says so (a site's WSDL).
	if s, err := ParseStatusResponse([]byte(`<Other><ResponseStatus>1</ResponseStatus><InstanceStatus>selected</InstanceStatus></Other>`), "Other"); err != nil ||
		s.ResponseStatus != WLResponseCreated || s.InstanceStatus != WLInstanceSelected {
		t.Errorf("other root: %+v %v", s, err)
	}
}

func TestWorklistParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		parse func([]byte) error
		want  string
		is    error
	}{
		{"wrong root", `<GetWorklistEntryStatusData/>`, func(b []byte) error { _, err := ParseCreateRequest(b, ""); return err },
			"want a CreateWorklistEntryData document, got <GetWorklistEntryStatusData>", ErrNotIB},
		{"not XML", `<CreateWorklistEntryData><a></CreateWorklistEntryData>`, func(b []byte) error { _, err := ParseCreateRequest(b, ""); return err },
			"CreateWorklistEntryData: line 1", nil},
		{"empty", ``, func(b []byte) error { _, err := ParseStatusRequest(b, ""); return err }, "no root element", nil},
		{"DTD", `<!DOCTYPE x [<!ENTITY e "x">]><GetWorklistEntryStatusData/>`, func(b []byte) error { _, err := ParseStatusRequest(b, ""); return err },
			"DOCTYPE", ErrUnsafeXML},
		{"bad numbers", `<GetWorklistEntryStatusData><InstanceID>one</InstanceID><TransactionID>2.5</TransactionID></GetWorklistEntryStatusData>`,
			func(b []byte) error { _, err := ParseStatusRequest(b, ""); return err },
			`InstanceID "one" is not a whole number; TransactionID "2.5" is not a whole number`, nil},
		{"no response status", `<WorklistEntryStatusData><InstanceID>1</InstanceID></WorklistEntryStatusData>`,
			func(b []byte) error { _, err := ParseStatusResponse(b, ""); return err }, "no ResponseStatus", nil},
		{"response status out of range", `<WorklistEntryStatusData><ResponseStatus>5</ResponseStatus></WorklistEntryStatusData>`,
			func(b []byte) error { _, err := ParseStatusResponse(b, ""); return err }, `ResponseStatus "5": want 0 to 4`, nil},
		{"instance status word", `<CreateWorklistEntryResponse><InstanceStatus>done</InstanceStatus><ErrorCode>x</ErrorCode></CreateWorklistEntryResponse>`,
			func(b []byte) error { _, err := ParseCreateResponse(b, ""); return err }, `InstanceStatus "done": want 0 new`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), "ibmsg: ") {
				t.Errorf("error %q does not name the package", err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestWorklistValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*CreateRequest)
		missing []string
		invalid string
	}{
		{"valid", func(*CreateRequest) {}, nil, ""},
		{"every required field", func(r *CreateRequest) { *r = CreateRequest{Priority: "high"} },
			[]string{"BusinessProcessName", "ActivityName", "EventName", "WorklistName", "OperatorID", "ApplicationData"}, `Priority "high" is not valid`},
		{"blank is missing", func(r *CreateRequest) { r.ActivityName = "  " }, []string{"ActivityName"}, ""},
		{"pairs without names", func(r *CreateRequest) { r.ApplicationData = []WLNameValue{{Name: " ", Value: "x"}} }, []string{"ApplicationData"}, ""},
		{"priority", func(r *CreateRequest) { r.Priority = "9" }, nil, `Priority "9" is not valid: use blank, 1 (high), 2 (medium) or 3 (low)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleCreate()
			tt.edit(r)
			err := r.Validate()
			if tt.missing == nil && tt.invalid == "" {
				if err != nil {
					t.Fatalf("unexpected %v", err)
				}
				return
			}
			var ve *WLValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a *WLValidationError", err)
			}
			if !reflect.DeepEqual(ve.Missing, tt.missing) {
				t.Errorf("missing %q, want %q", ve.Missing, tt.missing)
			}
			if tt.invalid != "" && (len(ve.Invalid) != 1 || ve.Invalid[0].Field != "Priority" || !strings.Contains(err.Error(), tt.invalid)) {
				t.Errorf("invalid %+v / %v", ve.Invalid, err)
			}
		})
	}
	err := (&StatusRequest{WLKeys: WLKeys{BusinessProcessName: "BP", EventName: "E"}}).Validate()
	if err == nil || err.Error() != "ibmsg: GetWorklistEntryStatusData: required field(s) missing: RequestMessageID, ActivityName, WorklistName" {
		t.Errorf("status validation: %v", err)
	}
}

func TestNormalizeWLPriority(t *testing.T) {
	for in, want := range map[string]string{"": "", " ": "", "1": "1", "2": "2", "3": "3", "high": "1", "Medium": "2", " LOW ": "3"} {
		if got, err := NormalizeWLPriority(in); err != nil || got != want {
			t.Errorf("NormalizeWLPriority(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "4", "urgent", "1 high"} {
		if _, err := NormalizeWLPriority(in); err == nil || !strings.Contains(err.Error(), "use blank, 1 (high), 2 (medium) or 3 (low)") {
			t.Errorf("NormalizeWLPriority(%q): %v", in, err)
		}
	}
	if WLPriorityText("") != "blank (no priority)" || WLPriorityText("3") != "3 (low)" {
		t.Error("priority text")
	}
}

func TestWorklistStatusMeanings(t *testing.T) {
	if WLResponseNoEntry.Worked() || WLResponseCreated.Worked() || !WLResponsePending.Worked() || !WLResponseSent.Worked() || WLResponseStatus(5).Worked() {
		t.Error("Worked")
	}
	for s := WLResponseNoEntry; s <= WLResponseSent; s++ {
		if strings.HasPrefix(s.String(), "unknown") {
			t.Errorf("%d has no meaning", s)
		}
	}
	if WLResponseStatus(9).String() != "unknown response status 9" || WLInstanceWorked.String() != "worked" || WLInstanceStatus(7).String() != "unknown instance status 7" {
		t.Error("String")
	}
	r := sampleStatusResponse()
	if !r.Found() || !r.Worked() {
		t.Error("worked entry")
	}
	r.ResponseStatus, r.InstanceStatus = WLResponseCreated, WLInstanceSelected
	if r.Worked() {
		t.Error("selected entry is not worked")
	}
	if (&StatusResponse{}).Found() {
		t.Error("no entry")
	}
	for in, want := range map[string]WLInstanceStatus{"0": WLInstanceNew, "Available": WLInstanceNew, "3": WLInstanceCancelled, "canceled": WLInstanceCancelled} {
		if got, err := ParseWLInstanceStatus(in); err != nil || got != want {
			t.Errorf("ParseWLInstanceStatus(%q) = %v, %v", in, got, err)
		}
	}
	if k := sampleCreate().Keys(); k.RequestMessageID != "EXT-2026-0001" || k.WorklistName != "HR Approvals" {
		t.Errorf("keys %+v", k)
	}
}

func FuzzParseWorklist(f *testing.F) {
	f.Add(sampleCreate().Marshal())
	f.Add(sampleStatusResponse().Marshal())
	f.Add([]byte(`<a:CreateWorklistEntryData xmlns:a="u"><a:ApplicationData><a:Value>v</a:Value><a:Name>n</a:Name></a:ApplicationData></a:CreateWorklistEntryData>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if r, err := ParseCreateRequest(data, ""); err == nil {
			// What was read writes and reads back the same.
			again, err := ParseCreateRequest(r.Marshal(), "")
			if err != nil {
				t.Fatalf("re-parse: %v\n%s", err, r.Marshal())
			}
			_ = again.Validate()
		}
		if r, err := ParseStatusResponse(data, ""); err == nil {
			if _, err := ParseStatusResponse(r.Marshal(), ""); err != nil {
				t.Fatalf("re-parse: %v\n%s", err, r.Marshal())
			}
		}
		_, _ = ParseCreateResponse(data, "")
		_, _ = ParseStatusRequest(data, "")
	})
}
