package emulator

import (
	"fmt"
	"strings"
)

// The PT_WORKLIST WSDL and schemas the service listening connector serves
// (?Operation=GetWSDL&wsdl=PT_WORKLIST.1, .../PT_WORKLIST.1.wsdl,
// ?Operation=GetSchema&xsd=<MESSAGE>.VERSION_1). Oracle does not publish
// them: names follow PeopleSoft's generated WSDLs (service <S>, port type
// <S>_PortType, binding <S>_Binding, port <S>_Port, complex types
// <X>_TypeShape, operation name without its version and soapAction with it,
// as in "EL_INT_JOBCD_FULLSYNC_OP" / "EL_INT_JOBCD_FULLSYNC_OP.v1"), the
// message shapes are psib's assumption (docs/worklist.md).

// WorklistService is the PT_WORKLIST service and version the WSDL names.
const WorklistService = "PT_WORKLIST.1"

// WorklistServiceNamespace is the WSDL's target namespace (assumed, after
// PeopleSoft's http://xmlns.oracle.com/Enterprise/Tools/services/<SERVICE>.<VERSION>).
const WorklistServiceNamespace = "http://xmlns.oracle.com/Enterprise/Tools/services/" + WorklistService

const xsdNamespace = "http://www.w3.org/2001/XMLSchema"

// wlField is one element of a worklist message's schema.
type wlField struct {
	name string
	typ  string // xsd type, or "pairs" (Name/Value, repeated) or "priority"
	opt  bool   // minOccurs="0"
}

type wlMessage struct {
	name, root, doc string
	fields          []wlField
}

// worklistMessages lists the four messages in seed 004's field order.
func worklistMessages() []wlMessage {
	keys := []wlField{{"RequestMessageID", "xsd:string", false}, {"BusinessProcessName", "xsd:string", false},
		{"ActivityName", "xsd:string", false}, {"EventName", "xsd:string", false}, {"WorklistName", "xsd:string", false}}
	with := func(head []wlField, rest ...wlField) []wlField {
		return append(append([]wlField(nil), head...), rest...)
	}
	createKeys := with(keys)
	createKeys[0].opt = true // RequestMessageID is optional on create
	return []wlMessage{
		{WLCreateRequest, "CreateWorklistEntryData", "CREATE_WORKLIST_ITEM request: creates a worklist entry for OperatorID.",
			with(createKeys, wlField{"OperatorID", "xsd:string", false}, wlField{"OriginatorID", "xsd:string", true},
				wlField{"Priority", "priority", true}, wlField{"ApplicationData", "pairs", false}, wlField{"AdditionalData", "pairs", true})},
		{WLCreateResponse, "CreateWorklistEntryResponse", "CREATE_WORKLIST_ITEM reply: sent when the entry is marked Worked.",
			with(keys, wlField{"InstanceID", "xsd:integer", false}, wlField{"TransactionID", "xsd:integer", false},
				wlField{"OperatorID", "xsd:string", false}, wlField{"InstanceStatus", "xsd:integer", false},
				wlField{"WorkedOn", "xsd:string", true}, wlField{"ErrorCode", "xsd:integer", true},
				wlField{"ErrorDescription", "xsd:string", true}, wlField{"AdditionalData", "pairs", true})},
		{WLStatusRequest, "GetWorklistEntryStatusData", "GETWLINSTANCE request: the keys the entry was created with.",
			with(keys, wlField{"InstanceID", "xsd:integer", true}, wlField{"TransactionID", "xsd:integer", true})},
		{WLStatusResponse, "WorklistEntryStatusData", "GETWLINSTANCE reply. ResponseStatus: 0 no such entry, 1 created, 2 worked and response queued, 3 worked but the response failed, 4 worked and the response sent.",
			with(keys, wlField{"InstanceID", "xsd:integer", true}, wlField{"TransactionID", "xsd:integer", true},
				wlField{"InstanceStatus", "xsd:integer", true}, wlField{"ResponseStatus", "xsd:integer", false},
				wlField{"WorkedOn", "xsd:string", true}, wlField{"AdditionalData", "pairs", true})},
	}
}

// schema writes a message's xsd:schema element (no XML declaration).
func (m wlMessage) schema(indent string) string {
	ns := WLNamespace(m.name)
	var b strings.Builder
	line := func(depth int, format string, args ...any) {
		b.WriteString(indent + strings.Repeat("  ", depth) + fmt.Sprintf(format, args...) + "\n")
	}
	line(0, `<xsd:schema xmlns:xsd="%s" xmlns="%s" targetNamespace="%s" elementFormDefault="qualified" attributeFormDefault="unqualified">`, xsdNamespace, ns, ns)
	line(1, `<xsd:annotation><xsd:documentation>%s.%s (%s). %s Shape assumed by psib (docs/worklist.md).</xsd:documentation></xsd:annotation>`,
		m.name, WLMessageVersion, m.root, escape(m.doc))
	line(1, `<xsd:element name="%s" type="%s_TypeShape"/>`, m.root, m.root)
	line(1, `<xsd:complexType name="%s_TypeShape">`, m.root)
	line(2, `<xsd:sequence>`)
	priority, pairs := false, false
	for _, f := range m.fields {
		attrs := ""
		if f.opt {
			attrs = ` minOccurs="0"`
		}
		typ := f.typ
		switch f.typ {
		case "pairs":
			typ, pairs = "NameValue_TypeShape", true
			attrs += ` maxOccurs="unbounded"`
		case "priority":
			typ, priority = "Priority_TypeShape", true
		}
		line(3, `<xsd:element name="%s" type="%s"%s/>`, f.name, typ, attrs)
	}
	line(2, `</xsd:sequence>`)
	line(1, `</xsd:complexType>`)
	if priority {
		line(1, `<xsd:simpleType name="Priority_TypeShape">`)
		line(2, `<xsd:restriction base="xsd:string">`)
		for _, v := range []string{"", "1", "2", "3"} {
			line(3, `<xsd:enumeration value="%s"/>`, v)
		}
		line(2, `</xsd:restriction>`)
		line(1, `</xsd:simpleType>`)
	}
	if pairs {
		line(1, `<xsd:complexType name="NameValue_TypeShape">`)
		line(2, `<xsd:sequence>`)
		line(3, `<xsd:element name="Name" type="xsd:string"/>`)
		line(3, `<xsd:element name="Value" type="xsd:string"/>`)
		line(2, `</xsd:sequence>`)
		line(1, `</xsd:complexType>`)
	}
	line(0, `</xsd:schema>`)
	return b.String()
}

// worklistOperations returns the configured external aliases of the
// PT_WORKLIST operations (the soapActions), "" when not configured.
func (s *Server) worklistOperations() (create, status string) {
	for _, op := range s.cfg.Operations {
		switch {
		case op.Handler == "worklist-create" && create == "":
			create = op.Name
		case op.Handler == "worklist-status" && status == "":
			status = op.Name
		}
	}
	return create, status
}

// operationBase is an external alias without its version: the WSDL
// operation name (CREATE_WORKLIST_ITEM.v1 → CREATE_WORKLIST_ITEM).
func operationBase(alias string) string {
	if i := strings.LastIndex(alias, "."); i > 0 {
		return alias[:i]
	}
	return alias
}

// worklistXSD returns a worklist message's schema document. name is
// MESSAGE.VERSION_1 (or MESSAGE.v1), or an operation alias for its
// request message.
func (s *Server) worklistXSD(name string) ([]byte, bool) {
	create, status := s.worklistOperations()
	switch {
	case name == create && create != "":
		name = WLCreateRequest + "." + WLMessageVersion
	case name == status && status != "":
		name = WLStatusRequest + "." + WLMessageVersion
	}
	for _, m := range worklistMessages() {
		if name == m.name+"."+WLMessageVersion || name == m.name+".v1" || name == m.name+".V1" {
			if (m.name == WLCreateRequest || m.name == WLCreateResponse) && create == "" ||
				(m.name == WLStatusRequest || m.name == WLStatusResponse) && status == "" {
				return nil, false
			}
			return []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + m.schema("")), true
		}
	}
	return nil, false
}

// worklistWSDL returns the PT_WORKLIST WSDL with location as the
// soap:address. name is PT_WORKLIST.1 or one of its operations' aliases;
// ok is false for other names or when neither operation is configured.
func (s *Server) worklistWSDL(name, location string) ([]byte, bool) {
	create, status := s.worklistOperations()
	if create == "" && status == "" {
		return nil, false
	}
	if name != WorklistService && (name == "" || (name != create && name != status)) {
		return nil, false
	}
	msgs := worklistMessages()
	var b strings.Builder
	w := func(depth int, format string, args ...any) {
		b.WriteString(strings.Repeat("  ", depth) + fmt.Sprintf(format, args...) + "\n")
	}
	qname := func(m wlMessage) string { return m.name + "." + WLMessageVersion }
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	var nsDecls strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&nsDecls, "\n    xmlns:%s=\"%s\"", qname(m), WLNamespace(m.name))
	}
	w(0, `<wsdl:definitions name="%s" targetNamespace="%s"
    xmlns:tns="%s"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="%s"%s>`, WorklistService, WorklistServiceNamespace, WorklistServiceNamespace, xsdNamespace, nsDecls.String())
	w(1, `<wsdl:documentation>PT_WORKLIST: create worklist entries from an external system and ask for their status (psib emulator; message shapes assumed, see psib docs/worklist.md).</wsdl:documentation>`)
	w(1, `<wsdl:types>`)
	for _, m := range msgs {
		b.WriteString(m.schema("    "))
	}
	w(1, `</wsdl:types>`)
	for _, m := range msgs {
		w(1, `<wsdl:message name="%s">`, qname(m))
		w(2, `<wsdl:documentation>%s</wsdl:documentation>`, escape(m.doc))
		w(2, `<wsdl:part name="parameter" element="%s:%s"/>`, qname(m), m.root)
		w(1, `</wsdl:message>`)
	}
	createReq, createResp, statusReq, statusResp := qname(msgs[0]), qname(msgs[1]), qname(msgs[2]), qname(msgs[3])
	w(1, `<wsdl:portType name="PT_WORKLIST_PortType">`)
	if create != "" {
		w(2, `<wsdl:operation name="%s">`, operationBase(create))
		w(3, `<wsdl:documentation>Asynchronous request/response: acknowledged at once; the %s reply is sent to the requesting system when the entry is marked Worked (see PT_WORKLIST_Callback_PortType).</wsdl:documentation>`, createResp)
		w(3, `<wsdl:input name="%s" message="tns:%s"/>`, createReq, createReq)
		w(2, `</wsdl:operation>`)
	}
	if status != "" {
		w(2, `<wsdl:operation name="%s">`, operationBase(status))
		w(3, `<wsdl:documentation>Synchronous: the status of a worklist entry created through %s.</wsdl:documentation>`, operationBase(create))
		w(3, `<wsdl:input name="%s" message="tns:%s"/>`, statusReq, statusReq)
		w(3, `<wsdl:output name="%s" message="tns:%s"/>`, statusResp, statusResp)
		w(2, `</wsdl:operation>`)
	}
	w(1, `</wsdl:portType>`)
	if create != "" {
		w(1, `<wsdl:portType name="PT_WORKLIST_Callback_PortType">`)
		w(2, `<wsdl:operation name="%s">`, operationBase(create))
		w(3, `<wsdl:input name="%s" message="tns:%s"/>`, createResp, createResp)
		w(2, `</wsdl:operation>`)
		w(1, `</wsdl:portType>`)
	}
	w(1, `<wsdl:binding name="PT_WORKLIST_Binding" type="tns:PT_WORKLIST_PortType">`)
	w(2, `<soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>`)
	if create != "" {
		w(2, `<wsdl:operation name="%s">`, operationBase(create))
		w(3, `<soap:operation soapAction="%s" style="document"/>`, escapeAttr(create))
		w(3, `<wsdl:input name="%s"><soap:body use="literal"/></wsdl:input>`, createReq)
		w(2, `</wsdl:operation>`)
	}
	if status != "" {
		w(2, `<wsdl:operation name="%s">`, operationBase(status))
		w(3, `<soap:operation soapAction="%s" style="document"/>`, escapeAttr(status))
		w(3, `<wsdl:input name="%s"><soap:body use="literal"/></wsdl:input>`, statusReq)
		w(3, `<wsdl:output name="%s"><soap:body use="literal"/></wsdl:output>`, statusResp)
		w(2, `</wsdl:operation>`)
	}
	w(1, `</wsdl:binding>`)
	w(1, `<wsdl:service name="PT_WORKLIST">`)
	w(2, `<wsdl:documentation>PeopleTools worklist web service (seed 004).</wsdl:documentation>`)
	w(2, `<wsdl:port name="PT_WORKLIST_Port" binding="tns:PT_WORKLIST_Binding">`)
	w(3, `<soap:address location="%s"/>`, escapeAttr(location))
	w(2, `</wsdl:port>`)
	w(1, `</wsdl:service>`)
	w(0, `</wsdl:definitions>`)
	return []byte(b.String()), true
}

// worklistWSIL is the WS-Inspection document listing PT_WORKLIST.
func (s *Server) worklistWSIL(base string) ([]byte, bool) {
	if c, st := s.worklistOperations(); c == "" && st == "" {
		return nil, false
	}
	return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<inspection xmlns="http://schemas.xmlsoap.org/ws/2001/10/inspection/">
  <service>
    <abstract>PT_WORKLIST</abstract>
    <description referencedNamespace="http://schemas.xmlsoap.org/wsdl/" location="` + escapeAttr(base+"/"+WorklistService+".wsdl") + `"/>
  </service>
</inspection>
`), true
}

func escapeAttr(s string) string {
	return strings.ReplaceAll(escape(s), `"`, "&quot;")
}
