package gwlog

import (
	"slices"
	"strings"

	"github.com/psib-dev/psib/internal/jsonstr"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// The ibinfo and headers of a record's JSON, written without reflection:
// encoding/json took a tenth of the CPU of decoding a large log for these
// few fields. The bytes are exactly encoding/json's (Encoder with
// SetEscapeHTML(false)) for the same values, which TestIBInfoJSON and
// FuzzIBInfoJSON check; the types' own MarshalJSON (Status, Element, the
// redacted password) are still called, as encoding/json would.

// jsonObject appends one JSON object's members, with encoding/json's
// omitempty rules left to the callers.
type jsonObject struct {
	dst []byte
	n   int
}

func (o *jsonObject) key(k string) {
	if o.n > 0 {
		o.dst = append(o.dst, ',')
	}
	o.n++
	o.dst = append(o.dst, '"')
	o.dst = append(o.dst, k...)
	o.dst = append(o.dst, '"', ':')
}

// str is a string member with omitempty.
func (o *jsonObject) str(k string, v string) {
	if v == "" {
		return
	}
	o.key(k)
	o.dst = jsonstr.Append(o.dst, v)
}

// raw is a member whose value is already JSON.
func (o *jsonObject) raw(k string, v []byte) {
	o.key(k)
	o.dst = append(o.dst, v...)
}

// elements is an []Element member with omitempty.
func (o *jsonObject) elements(k string, es []ibmsg.Element) error {
	if len(es) == 0 {
		return nil
	}
	o.key(k)
	o.dst = append(o.dst, '[')
	for i, e := range es {
		if i > 0 {
			o.dst = append(o.dst, ',')
		}
		b, err := e.MarshalJSON()
		if err != nil {
			return err
		}
		o.dst = append(o.dst, b...)
	}
	o.dst = append(o.dst, ']')
	return nil
}

// nameValues is a []NameValue member with omitempty.
func (o *jsonObject) nameValues(k string, nvs []ibmsg.NameValue) {
	if len(nvs) == 0 {
		return
	}
	o.key(k)
	o.dst = append(o.dst, '[')
	for i, nv := range nvs {
		if i > 0 {
			o.dst = append(o.dst, ',')
		}
		o.dst = append(o.dst, `{"Name":`...)
		o.dst = jsonstr.Append(o.dst, string(nv.Name))
		o.dst = append(o.dst, `,"Value":`...)
		o.dst = jsonstr.Append(o.dst, string(nv.Value))
		o.dst = append(o.dst, '}')
	}
	o.dst = append(o.dst, ']')
}

// object appends a nested object member built by fill.
func (o *jsonObject) object(k string, fill func(*jsonObject) error) error {
	o.key(k)
	inner := jsonObject{dst: append(o.dst, '{')}
	if err := fill(&inner); err != nil {
		return err
	}
	o.dst = append(inner.dst, '}')
	return nil
}

// appendIBInfoJSON appends info as encoding/json writes an *ibmsg.IBInfo.
func appendIBInfoJSON(dst []byte, info *ibmsg.IBInfo) ([]byte, error) {
	if info == nil {
		return append(dst, "null"...), nil
	}
	o := jsonObject{dst: append(dst, '{')}
	if info.Status != nil {
		o.key("Status")
		var err error
		if o.dst, err = info.Status.AppendJSON(o.dst); err != nil {
			return nil, err
		}
	}
	o.str("MessageName", string(info.MessageName))
	o.str("MessageType", string(info.MessageType))
	o.str("TransactionID", string(info.TransactionID))
	o.str("ExternalOperationName", string(info.ExternalOperationName))
	o.str("OperationType", string(info.OperationType))
	o.str("ExternalMessageID", string(info.ExternalMessageID))
	if f := info.From; f != nil {
		err := o.object("From", func(o *jsonObject) error {
			o.str("RequestingNode", string(f.RequestingNode))
			b, err := f.Password.MarshalJSON() // a struct: never omitted
			if err != nil {
				return err
			}
			o.raw("Password", b)
			o.str("DN", string(f.DN))
			o.str("OrigUser", string(f.OrigUser))
			o.str("OrigNode", string(f.OrigNode))
			o.str("OrigProcess", string(f.OrigProcess))
			o.str("OrigTimeStamp", string(f.OrigTimeStamp))
			return o.elements("Extra", f.Extra)
		})
		if err != nil {
			return nil, err
		}
	}
	if t := info.To; t != nil {
		err := o.object("To", func(o *jsonObject) error {
			o.str("DestinationNode", string(t.DestinationNode))
			o.str("FinalDestinationNode", string(t.FinalDestinationNode))
			return o.elements("Extra", t.Extra)
		})
		if err != nil {
			return nil, err
		}
	}
	if q := info.QStrArgs; q != nil {
		err := o.object("QStrArgs", func(o *jsonObject) error {
			o.nameValues("QStrArg", q.Args)
			return o.elements("Extra", q.Extra)
		})
		if err != nil {
			return nil, err
		}
	}
	o.str("Cookies", string(info.Cookies))
	o.str("PathInfo", string(info.PathInfo))
	if cs := info.ContentSections; cs != nil {
		err := o.object("ContentSections", func(o *jsonObject) error {
			if len(cs.Sections) == 0 {
				return nil
			}
			o.key("ContentSection")
			o.dst = append(o.dst, '[')
			for i, s := range cs.Sections {
				if i > 0 {
					o.dst = append(o.dst, ',')
				}
				inner := jsonObject{dst: append(o.dst, '{')}
				inner.str("ID", string(s.ID))
				inner.str("NonRepudiation", string(s.NonRepudiation))
				inner.nameValues("Headers", s.Headers)
				if err := inner.elements("Extra", s.Extra); err != nil {
					return err
				}
				o.dst = append(inner.dst, '}')
			}
			o.dst = append(o.dst, ']')
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if ii := info.InternalInfo; ii != nil {
		err := o.object("InternalInfo", func(o *jsonObject) error {
			if a := ii.AppMsg; a != nil {
				err := o.object("AppMsg", func(o *jsonObject) error {
					o.str("PublishingNode", string(a.PublishingNode))
					o.str("Channel", string(a.Channel))
					o.str("SubChannel", string(a.SubChannel))
					o.str("DefaultDataVersion", string(a.DefaultDataVersion))
					o.str("VisitedNodes", string(a.VisitedNodes))
					o.str("PublicationID", string(a.PublicationID))
					return o.elements("Extra", a.Extra)
				})
				if err != nil {
					return err
				}
			}
			return o.elements("Extra", ii.Extra)
		})
		if err != nil {
			return nil, err
		}
	}
	if c := info.Connector; c != nil {
		err := o.object("Connector", func(o *jsonObject) error {
			o.str("ConnectorName", string(c.ConnectorName))
			o.str("ConnectorClassName", string(c.ConnectorClassName))
			o.str("RemoteFrameworkURL", string(c.RemoteFrameworkURL))
			o.nameValues("ConnectorParameters", c.ConnectorParameters)
			o.nameValues("ConnectorHeaders", c.ConnectorHeaders)
			return o.elements("Extra", c.Extra)
		})
		if err != nil {
			return nil, err
		}
	}
	if err := o.elements("Extra", info.Extra); err != nil {
		return nil, err
	}
	return append(o.dst, '}'), nil
}

// appendHeadersJSON appends h as encoding/json writes the map of its
// fields (h.Map()): names sorted, the last field of a name, nil as null.
func appendHeadersJSON(dst []byte, h Headers) []byte {
	if h == nil {
		return append(dst, "null"...)
	}
	// The fields' places, sorted by name, the order found kept among
	// equal names (a message's headers fit the array: no allocation).
	var buf [16]int
	order := buf[:0]
	for i := range h {
		order = append(order, i)
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(h[a].Name, h[b].Name) })
	dst = append(dst, '{')
	first := true
	for k, i := range order {
		if k+1 < len(order) && h[order[k+1]].Name == h[i].Name {
			continue // a later field of the same name wins
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = jsonstr.Append(dst, h[i].Name)
		dst = append(dst, ':')
		dst = jsonstr.Append(dst, h[i].Value)
	}
	return append(dst, '}')
}
