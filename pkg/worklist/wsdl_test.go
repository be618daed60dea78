package worklist

import (
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// A site's WSDL: other versions, prefixes declared where they are used,
// the callback port type first, a SOAP 1.2 binding.
func TestParseSiteWSDL(t *testing.T) {
	data, err := os.ReadFile("../../testdata/worklist/site-v2.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	s, err := ParseWSDL("site-v2.wsdl", data)
	if err != nil {
		t.Fatal(err)
	}
	ns := func(m string) string { return ibmsg.WLNamespaceVersion(m, "VERSION_2") }
	want := Service{
		CreateAction: "CREATE_WORKLIST_ITEM.v2", StatusAction: "GETWLINSTANCE.v2",
		CreateRequest:   xml.Name{Space: ns(ibmsg.WLCreateRequest), Local: "CreateWorklistEntryData"},
		StatusRequest:   xml.Name{Space: ns(ibmsg.WLStatusRequest), Local: "GetWorklistEntryStatusData"},
		CreateResponse:  xml.Name{Space: ns(ibmsg.WLCreateResponse), Local: "CreateWorklistEntryResponse"},
		StatusResponse:  xml.Name{Space: ns(ibmsg.WLStatusResponse), Local: "WorklistEntryStatusData"},
		CreateOperation: "CREATE_WORKLIST_ITEM", StatusOperation: "GETWLINSTANCE",
		TargetNamespace: "http://xmlns.oracle.com/Enterprise/HCM/services/PT_WORKLIST.2",
		Location:        "https://hr.example.edu/PSIGW/PeopleSoftServiceListeningConnector/HRMS",
		SOAPVersion:     ibmsg.SOAP12,
	}
	if *s != want {
		t.Errorf("got  %+v\nwant %+v", *s, want)
	}
}

func TestParseWSDLErrors(t *testing.T) {
	const head = `<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="urn:t" xmlns:m="urn:m">`
	tests := []struct {
		name, doc, want string
	}{
		{"not XML", `<definitions>`, "not well-formed XML"},
		{"DTD", `<!DOCTYPE d [<!ENTITY x "y">]><definitions/>`, "refused: it carries a DOCTYPE declaration"},
		{"not a WSDL", `<html><body>login</body></html>`, "not a WSDL 1.1 document"},
		{"another service", head + `<message name="M"><part element="m:Other"/></message><portType name="P"><operation name="X"><input message="tns:M"/></operation></portType>
			<binding name="B" type="tns:P"><operation name="X"><soap:operation soapAction="X.v1"/></operation></binding></definitions>`, "no PT_WORKLIST operation"},
		{"no soapAction", head + `<message name="M"><part element="m:CreateWorklistEntryData"/></message><portType name="P"><operation name="C"><input message="tns:M"/></operation></portType>
			<binding name="B" type="tns:P"><operation name="C"><soap:operation/></operation></binding></definitions>`, "operation C has no soapAction"},
		{"no binding", head + `<portType name="P"/></definitions>`, "no wsdl:binding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseWSDL("x.wsdl", []byte(tt.doc))
			var we *WSDLError
			if !errors.As(err, &we) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "worklist: WSDL x.wsdl: ") {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
	// A WSDL with one of the two operations keeps the default of the other.
	s, err := ParseWSDL("one.wsdl", []byte(head+`<message name="M"><part element="m:GetWorklistEntryStatusData"/></message>
		<portType name="P"><operation name="GETWLINSTANCE"><input message="tns:M"/></operation></portType>
		<binding name="B" type="tns:P"><operation name="GETWLINSTANCE"><soap:operation soapAction="GETWLINSTANCE.v3"/></operation></binding></definitions>`))
	if err != nil || s.StatusAction != "GETWLINSTANCE.v3" || s.StatusRequest.Space != "urn:m" || s.CreateAction != "CREATE_WORKLIST_ITEM.v1" ||
		s.StatusResponse != DefaultService().StatusResponse {
		t.Errorf("one operation: %+v %v", s, err)
	}
}

func TestNamesService(t *testing.T) {
	s := Names{CreateOperation: "MY_CREATE", AliasVersion: "v7", MessageVersion: "VERSION_3"}.Service()
	if s.CreateAction != "MY_CREATE.v7" || s.StatusAction != "GETWLINSTANCE.v7" ||
		s.StatusRequest.Space != "http://xmlns.oracle.com/Enterprise/Tools/schemas/PT_WL_GET_INSTANCE_REQ.VERSION_3" || s.StatusRequest.Local != "GetWorklistEntryStatusData" {
		t.Errorf("%+v", s)
	}
}
