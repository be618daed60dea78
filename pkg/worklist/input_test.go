package worklist

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

func TestDecodeInput(t *testing.T) {
	want := ibmsg.CreateRequest{WLKeys: ibmsg.WLKeys{RequestMessageID: "EXT-1", BusinessProcessName: "Administer Workforce", ActivityName: "Hire",
		EventName: "Approve", WorklistName: "HR Approvals"}, OperatorID: "VP1", Priority: "2",
		ApplicationData: []ibmsg.WLNameValue{{Name: "EMPLID", Value: "KU0001"}, {Name: "EFFDT", Value: "2026-03-01"}},
		AdditionalData:  []ibmsg.WLNameValue{{Name: "note", Value: ""}}}
	tests := []struct {
		name, file, doc string
	}{
		{"yaml, seed names, map pairs", "entry.yaml", `
RequestMessageID: EXT-1
BusinessProcessName: Administer Workforce
ActivityName: Hire
EventName: Approve
WorklistName: HR Approvals
OperatorID: VP1
Priority: 2
ApplicationData:
  EMPLID: KU0001
  EFFDT: 2026-03-01
AdditionalData:
  note:
`},
		{"yaml, snake case, list pairs", "entry.yml", `
request_message_id: EXT-1
business_process_name: Administer Workforce
activity_name: Hire
event_name: Approve
worklist_name: HR Approvals
operator_id: VP1
priority: "2"
application_data:
  - {name: EMPLID, value: KU0001}
  - {Name: EFFDT, Value: "2026-03-01"}
additional_data: [{name: note}]
`},
		{"json", "entry.json", `{"RequestMessageID": "EXT-1", "BusinessProcessName": "Administer Workforce", "ActivityName": "Hire",
 "EventName": "Approve", "WorklistName": "HR Approvals", "OperatorID": "VP1", "Priority": 2,
 "ApplicationData": {"EMPLID": "KU0001", "EFFDT": "2026-03-01"}, "AdditionalData": [{"name": "note", "value": null}]}`},
		{"xml, sniffed", "<stdin>", string((&ibmsg.CreateRequest{WLKeys: ibmsg.WLKeys{RequestMessageID: "EXT-1", BusinessProcessName: "Administer Workforce", ActivityName: "Hire",
			EventName: "Approve", WorklistName: "HR Approvals"}, OperatorID: "VP1", Priority: "2",
			ApplicationData: want.ApplicationData, AdditionalData: want.AdditionalData}).Marshal())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := DecodeInput(tt.file, []byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(in.Create, want) {
				t.Errorf("got  %+v\nwant %+v", in.Create, want)
			}
		})
	}
	// A status request document gives the keys and the filters.
	in, err := DecodeInput("s.xml", []byte(`<GetWorklistEntryStatusData><RequestMessageID>X</RequestMessageID><EventName>E</EventName><InstanceID>4</InstanceID></GetWorklistEntryStatusData>`))
	if err != nil || in.Create.RequestMessageID != "X" || in.Create.EventName != "E" || in.InstanceID != 4 {
		t.Errorf("status document: %+v %v", in, err)
	}
	if in, err := DecodeInput("s.yaml", []byte("RequestMessageID: X\nTransactionID: 7\n")); err != nil || in.TransactionID != 7 {
		t.Errorf("status yaml: %+v %v", in, err)
	}
}

func TestDecodeInputErrors(t *testing.T) {
	tests := []struct {
		name, file, doc, want string
	}{
		{"unknown field", "e.yaml", "EventName: E\nPrority: 1\n", "e.yaml:2: unknown field \"Prority\" (fields: ActivityName, AdditionalData,"},
		{"not a mapping", "e.yaml", "- a\n- b\n", "e.yaml:1: want a mapping of field names"},
		{"empty", "e.yaml", "", "e.yaml: empty"},
		{"bad yaml", "e.yaml", "EventName: [\n", "e.yaml:1: not valid YAML or JSON"},
		{"list value", "e.yaml", "EventName: [a]\n", "e.yaml:1: EventName: want a single value"},
		{"bad pairs", "e.yaml", "ApplicationData: x\n", "e.yaml:1: ApplicationData: want a list of {name, value}"},
		{"bad pair item", "e.yaml", "ApplicationData:\n  - x\n", "e.yaml:2: ApplicationData: each item must be {name: ..., value: ...}"},
		{"bad pair key", "e.yaml", "ApplicationData:\n  - {nam: x}\n", "e.yaml:2: ApplicationData: unknown key \"nam\""},
		{"nested value", "e.yaml", "ApplicationData:\n  K: [1]\n", "e.yaml:2: ApplicationData: a name or value must be a single value"},
		{"number", "e.yaml", "InstanceID: one\n", "e.yaml:1: InstanceID \"one\" is not a whole number"},
		{"duplicate key", "e.json", "{\"EventName\": \"a\",\n \"event_name\": \"b\"}", "e.json:2: EventName is given twice (first on line 1)"},
		{"xml root", "e.xml", "<Other/>", "e.xml: the root element is <Other>: want CreateWorklistEntryData (or GetWorklistEntryStatusData)"},
		{"xml syntax", "e.xml", "<CreateWorklistEntryData>\n<a></CreateWorklistEntryData>", "e.xml:2: not well-formed XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeInput(tt.file, []byte(tt.doc))
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want prefix %q", err, tt.want)
			}
		})
	}
}
