package ibmsg

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/psib-dev/psib/pkg/secret"
)

// Request is the IBRequest body wrapper of the HTTP listening connector
// ("credentials in the message body"): the credentials as XML and the
// payload as CDATA in ContentSections/ContentSection/Data. The gateway strips
// the wrapper and passes the payload on with its own XML declaration.
type Request struct {
	Credentials
	// Data is the payload, normally an XML document with its declaration.
	Data []byte
}

type requestXML struct {
	ExternalOperationName Text `xml:"ExternalOperationName"`
	OperationType         Text `xml:"OperationType"`
	From                  struct {
		RequestingNode Text `xml:"RequestingNode"`
		Password       CData
		OrigUser       Text `xml:"OrigUser"`
		OrigNode       Text `xml:"OrigNode"`
		OrigProcess    Text `xml:"OrigProcess"`
		OrigTimeStamp  Text `xml:"OrigTimeStamp"`
	} `xml:"From"`
	To struct {
		FinalDestination Text `xml:"FinalDestination"`
		DestinationNode  Text `xml:"DestinationNode"`
		SubChannel       Text `xml:"SubChannel"`
	} `xml:"To"`
	Sections []struct {
		NonRepudiation Text   `xml:"NonRepudiation"`
		MessageVersion Text   `xml:"MessageVersion"`
		Data           []byte `xml:"Data"`
	} `xml:"ContentSections>ContentSection"`
}

// ParseRequest reads an IBRequest wrapper. DTDs are refused (the wrapper is
// the classic XXE target on IB listeners).
func ParseRequest(data []byte) (*Request, error) {
	root, err := RootElement(data)
	if err != nil {
		return nil, err
	}
	if root != "IBRequest" {
		return nil, fmt.Errorf("%w: root element <%s>, want <IBRequest>", ErrNotIB, root)
	}
	var x requestXML
	if err := unmarshalSafe(data, &x, "IBRequest"); err != nil {
		return nil, err
	}
	r := &Request{}
	r.OperationName = string(x.ExternalOperationName)
	r.OperationType = string(x.OperationType)
	r.From = string(x.From.RequestingNode)
	r.Password = secret.New(string(x.From.Password))
	r.OrigUser, r.OrigNode, r.OrigProcess, r.OrigTimeStamp = string(x.From.OrigUser), string(x.From.OrigNode), string(x.From.OrigProcess), string(x.From.OrigTimeStamp)
	r.To = string(x.To.DestinationNode)
	r.FinalDestination = string(x.To.FinalDestination)
	r.SubQueue = string(x.To.SubChannel)
	if len(x.Sections) > 0 {
		s := x.Sections[0]
		r.NonRepudiation = string(s.NonRepudiation)
		r.MessageVersion = string(s.MessageVersion)
		r.Data = bytes.TrimSpace(s.Data)
	}
	return r, nil
}

// Marshal encodes the wrapper in the documented element order, every
// element present (empty ones as <X/>), the payload as CDATA.
func (r *Request) Marshal() []byte {
	var b bytes.Buffer
	el := func(indent, name, v string) {
		if v == "" {
			fmt.Fprintf(&b, "%s<%s/>\n", indent, name)
			return
		}
		fmt.Fprintf(&b, "%s<%s>%s</%s>\n", indent, name, escapeText(v), name)
	}
	b.WriteString("<?xml version=\"1.0\"?>\n<IBRequest>\n")
	el("   ", "ExternalOperationName", r.OperationName)
	el("   ", "OperationType", r.OperationType)
	b.WriteString("   <From>\n")
	el("      ", "RequestingNode", r.From)
	if r.Password.IsZero() {
		b.WriteString("      <Password/>\n")
	} else {
		fmt.Fprintf(&b, "      <Password>%s</Password>\n", cdataSection(r.Password.Reveal()))
	}
	el("      ", "OrigUser", r.OrigUser)
	el("      ", "OrigNode", r.OrigNode)
	el("      ", "OrigProcess", r.OrigProcess)
	el("      ", "OrigTimeStamp", r.OrigTimeStamp)
	b.WriteString("   </From>\n   <To>\n")
	el("      ", "FinalDestination", r.FinalDestination)
	el("      ", "DestinationNode", r.To)
	el("      ", "SubChannel", r.SubQueue)
	b.WriteString("   </To>\n   <ContentSections>\n      <ContentSection>\n")
	el("         ", "NonRepudiation", r.NonRepudiation)
	el("         ", "MessageVersion", r.MessageVersion)
	b.WriteString("         <Data>" + cdataSection(strings.TrimSpace(string(r.Data))) + "</Data>\n")
	b.WriteString("      </ContentSection>\n   </ContentSections>\n</IBRequest>\n")
	return b.Bytes()
}
