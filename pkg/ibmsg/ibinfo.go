package ibmsg

import (
	"bytes"
	"encoding/xml"
	"strings"

	"github.com/psib-dev/psib/pkg/secret"
)

// IBInfo is the XML document at the head of every internal IB message: the
// credentials and routing of a request, or the status of a response
// (seed 002, "Internal Message Format"). Requests fill MessageName, From, To
// and the rest; responses fill Status. Both may list ContentSections.
//
// Text values are trimmed of layout whitespace when read. Empty elements are
// not written back (they carry nothing); elements psib does not model are
// kept in Extra and written back, so a round trip loses no information.
type IBInfo struct {
	XMLName xml.Name `xml:"IBInfo" json:"-"`

	// Status is present in responses.
	Status *Status `xml:"Status,omitempty" json:"Status,omitempty"`

	MessageName CData `xml:"MessageName,omitempty" json:"MessageName,omitempty"`
	// MessageType is sync, async or ping in practice (the book lists
	// synchronous, asynchronous and ping).
	MessageType   Text  `xml:"MessageType,omitempty" json:"MessageType,omitempty"`
	TransactionID CData `xml:"TransactionID,omitempty" json:"TransactionID,omitempty"`
	// ExternalOperationName, OperationType and ExternalMessageID carry the
	// listening connector's parameters of the same names (Send Master's
	// IBInfo fields "Ext Operation Name" and "Operation Type"); their
	// element names are assumed, the book's element table does not list them.
	ExternalOperationName CData `xml:"ExternalOperationName,omitempty" json:"ExternalOperationName,omitempty"`
	OperationType         Text  `xml:"OperationType,omitempty" json:"OperationType,omitempty"`
	ExternalMessageID     CData `xml:"ExternalMessageID,omitempty" json:"ExternalMessageID,omitempty"`

	From            *From            `xml:"From,omitempty" json:"From,omitempty"`
	To              *To              `xml:"To,omitempty" json:"To,omitempty"`
	QStrArgs        *QStrArgs        `xml:"QStrArgs,omitempty" json:"QStrArgs,omitempty"`
	Cookies         CData            `xml:"Cookies,omitempty" json:"Cookies,omitempty"`
	PathInfo        CData            `xml:"PathInfo,omitempty" json:"PathInfo,omitempty"`
	ContentSections *ContentSections `xml:"ContentSections,omitempty" json:"ContentSections,omitempty"`
	InternalInfo    *InternalInfo    `xml:"InternalInfo,omitempty" json:"InternalInfo,omitempty"`
	Connector       *Connector       `xml:"Connector,omitempty" json:"Connector,omitempty"`

	Extra []Element `xml:",any" json:"Extra,omitempty"`
}

// From describes the requesting side of a request.
type From struct {
	RequestingNode CData        `xml:"RequestingNode,omitempty" json:"RequestingNode,omitempty"`
	Password       NodePassword `xml:"Password,omitempty" json:"Password,omitempty"`
	// DN is the distinguished name taken from a client certificate.
	DN          CData `xml:"DN,omitempty" json:"DN,omitempty"`
	OrigUser    CData `xml:"OrigUser,omitempty" json:"OrigUser,omitempty"`
	OrigNode    CData `xml:"OrigNode,omitempty" json:"OrigNode,omitempty"`
	OrigProcess CData `xml:"OrigProcess,omitempty" json:"OrigProcess,omitempty"`
	// OrigTimeStamp is a PeopleSoft timestamp (see ParseTimestamp).
	OrigTimeStamp Text      `xml:"OrigTimeStamp,omitempty" json:"OrigTimeStamp,omitempty"`
	Extra         []Element `xml:",any" json:"Extra,omitempty"`
}

// To describes the destination of a request.
type To struct {
	DestinationNode      CData     `xml:"DestinationNode,omitempty" json:"DestinationNode,omitempty"`
	FinalDestinationNode CData     `xml:"FinalDestinationNode,omitempty" json:"FinalDestinationNode,omitempty"`
	Extra                []Element `xml:",any" json:"Extra,omitempty"`
}

// QStrArgs are the query-string arguments the HTTP listening connector
// received. The child element names (QStrArg/Name/Value) are assumed: the
// book names only the QStrArgs element.
type QStrArgs struct {
	Args  []NameValue `xml:"QStrArg" json:"QStrArg,omitempty"`
	Extra []Element   `xml:",any" json:"Extra,omitempty"`
}

// NameValue is a Name/Value pair as PeopleSoft writes them (both CDATA).
type NameValue struct {
	Name  CData `xml:"Name" json:"Name"`
	Value CData `xml:"Value" json:"Value"`
}

// ContentSections lists metadata for the message's content sections.
type ContentSections struct {
	Sections []ContentSection `xml:"ContentSection" json:"ContentSection,omitempty"`
}

// ContentSection is the IBInfo metadata of one content section.
type ContentSection struct {
	// ID names the MIME part, e.g. ContentSection0.
	ID             Text           `xml:"ID,omitempty" json:"ID,omitempty"`
	NonRepudiation Text           `xml:"NonRepudiation,omitempty" json:"NonRepudiation,omitempty"`
	Headers        SectionHeaders `xml:"Headers,omitempty" json:"Headers,omitempty"`
	Extra          []Element      `xml:",any" json:"Extra,omitempty"`
}

// SectionHeaders are a content section's headers, each an element named
// after the header with CDATA text, e.g. <version><![CDATA[VERSION_1]]></version>.
// Order is kept.
type SectionHeaders []NameValue

// MarshalXML writes each header as its own element.
func (h SectionHeaders) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if len(h) == 0 {
		return nil
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, nv := range h {
		if err := e.EncodeElement(nv.Value, xml.StartElement{Name: xml.Name{Local: string(nv.Name)}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// UnmarshalXML reads each child element as a header.
func (h *SectionHeaders) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var v CData
			if err := d.DecodeElement(&v, &t); err != nil {
				return err
			}
			*h = append(*h, NameValue{Name: CData(t.Name.Local), Value: v})
		case xml.EndElement:
			return nil
		}
	}
}

// Get returns the value of the named header ("" when absent).
func (h SectionHeaders) Get(name string) string {
	for _, nv := range h {
		if string(nv.Name) == name {
			return string(nv.Value)
		}
	}
	return ""
}

// InternalInfo carries publish/subscribe details.
type InternalInfo struct {
	AppMsg *AppMsg   `xml:"AppMsg,omitempty" json:"AppMsg,omitempty"`
	Extra  []Element `xml:",any" json:"Extra,omitempty"`
}

// AppMsg is the application-message part of InternalInfo.
type AppMsg struct {
	PublishingNode     CData `xml:"PublishingNode,omitempty" json:"PublishingNode,omitempty"`
	Channel            CData `xml:"Channel,omitempty" json:"Channel,omitempty"`
	SubChannel         CData `xml:"SubChannel,omitempty" json:"SubChannel,omitempty"`
	DefaultDataVersion Text  `xml:"DefaultDataVersion,omitempty" json:"DefaultDataVersion,omitempty"`
	// VisitedNodes is a bar-separated list, e.g. "|QE_LOCAL|".
	VisitedNodes  CData     `xml:"VisitedNodes,omitempty" json:"VisitedNodes,omitempty"`
	PublicationID Text      `xml:"PublicationID,omitempty" json:"PublicationID,omitempty"`
	Extra         []Element `xml:",any" json:"Extra,omitempty"`
}

// Connector tells the gateway which target connector to invoke and how.
type Connector struct {
	ConnectorName       CData       `xml:"ConnectorName,omitempty" json:"ConnectorName,omitempty"`
	ConnectorClassName  CData       `xml:"ConnectorClassName,omitempty" json:"ConnectorClassName,omitempty"`
	RemoteFrameworkURL  CData       `xml:"RemoteFrameworkURL,omitempty" json:"RemoteFrameworkURL,omitempty"`
	ConnectorParameters []NameValue `xml:"ConnectorParameters>ConnectorParam,omitempty" json:"ConnectorParameters,omitempty"`
	ConnectorHeaders    []NameValue `xml:"ConnectorHeaders>Header,omitempty" json:"ConnectorHeaders,omitempty"`
	Extra               []Element   `xml:",any" json:"Extra,omitempty"`
}

// NodePassword is a node password inside IB documents. It goes on the wire
// (XML, as CDATA) but prints, logs and marshals to JSON as REDACTED.
type NodePassword struct {
	secret.Secret
}

// MarshalXML writes the real value: this is the wire form. Dumps of wire
// bytes must go through Redact.
func (p NodePassword) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if p.IsZero() {
		return nil // encoding/xml's omitempty does not apply to structs
	}
	return CData(p.Reveal()).MarshalXML(e, start)
}

// UnmarshalXML reads the password text.
func (p *NodePassword) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var c CData
	if err := c.UnmarshalXML(d, start); err != nil {
		return err
	}
	p.Secret = secret.New(string(c))
	return nil
}

// IsZero lets encoding/xml's omitempty skip an empty password.
func (p NodePassword) IsZero() bool { return p.Secret.IsZero() }

// IsResponse reports whether this IBInfo describes a response (it carries a
// Status).
func (i *IBInfo) IsResponse() bool { return i != nil && i.Status != nil }

// RequestingNode returns From/RequestingNode, or "".
func (i *IBInfo) RequestingNode() string {
	if i == nil || i.From == nil {
		return ""
	}
	return string(i.From.RequestingNode)
}

// DestinationNode returns To/DestinationNode, or "".
func (i *IBInfo) DestinationNode() string {
	if i == nil || i.To == nil {
		return ""
	}
	return string(i.To.DestinationNode)
}

// Operation returns the operation a request names: ExternalOperationName,
// else MessageName.
func (i *IBInfo) Operation() string {
	if i == nil {
		return ""
	}
	if i.ExternalOperationName != "" {
		return string(i.ExternalOperationName)
	}
	return string(i.MessageName)
}

// ParseIBInfo decodes an IBInfo document. DTDs are refused. The IBInfo
// documents PeopleSoft writes take a fast path (gateway logs hold one per
// message); anything unusual is read with encoding/xml.
func ParseIBInfo(data []byte) (*IBInfo, error) {
	if info, ok := fastIBInfo(data); ok {
		return info, nil
	}
	return parseIBInfoXML(data)
}

// parseIBInfoXML is ParseIBInfo with encoding/xml only.
func parseIBInfoXML(data []byte) (*IBInfo, error) {
	var info IBInfo
	if err := unmarshalSafe(data, &info, "IBInfo"); err != nil {
		return nil, err
	}
	if info.XMLName.Local != "IBInfo" {
		return nil, &SyntaxError{What: "IBInfo", Msg: "root element is <" + info.XMLName.Local + ">, want <IBInfo>"}
	}
	if s := info.Status; s != nil {
		// Titles and messages are prose that writers wrap across lines.
		s.DefaultTitle = collapseSpace(s.DefaultTitle)
		s.DefaultMsg = collapseSpace(s.DefaultMsg)
	}
	return &info, nil
}

// collapseSpace trims s and folds each run of white space to one space.
func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// Marshal encodes the IBInfo as PeopleSoft writes it: an XML declaration and
// the document on one line.
func (i *IBInfo) Marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?>`)
	enc := xml.NewEncoder(&b)
	if err := enc.Encode(i); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MarshalIndent encodes the IBInfo indented for reading.
func (i *IBInfo) MarshalIndent() ([]byte, error) {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\"?>\n")
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(i); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
