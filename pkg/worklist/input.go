package worklist

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Input is a worklist request read from a file: the create request's
// fields and, for status, the optional InstanceID and TransactionID.
type Input struct {
	Create                    ibmsg.CreateRequest
	InstanceID, TransactionID int64
}

// InputError reports a request file psib cannot read, with the line when
// it is known. Nothing was sent.
type InputError struct {
	Name string // the file, or <stdin>
	Line int
	Msg  string
}

// Error reads "NAME:LINE: MSG".
func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Name, e.Line, e.Msg)
	}
	return e.Name + ": " + e.Msg
}

// inputField is a field of a YAML/JSON request file.
type inputField struct {
	name string // seed 004's name
	set  func(in *Input, v string) error
	// pairs is set for ApplicationData and AdditionalData.
	pairs func(in *Input) *[]ibmsg.WLNameValue
}

func inputFields() []inputField {
	str := func(name string, f func(*ibmsg.CreateRequest) *string) inputField {
		return inputField{name: name, set: func(in *Input, v string) error { *f(&in.Create) = v; return nil }}
	}
	num := func(name string, f func(*Input) *int64) inputField {
		return inputField{name: name, set: func(in *Input, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return fmt.Errorf("%s %q is not a whole number", name, v)
			}
			*f(in) = n
			return nil
		}}
	}
	return []inputField{
		str("RequestMessageID", func(r *ibmsg.CreateRequest) *string { return &r.RequestMessageID }),
		str("BusinessProcessName", func(r *ibmsg.CreateRequest) *string { return &r.BusinessProcessName }),
		str("ActivityName", func(r *ibmsg.CreateRequest) *string { return &r.ActivityName }),
		str("EventName", func(r *ibmsg.CreateRequest) *string { return &r.EventName }),
		str("WorklistName", func(r *ibmsg.CreateRequest) *string { return &r.WorklistName }),
		str("OperatorID", func(r *ibmsg.CreateRequest) *string { return &r.OperatorID }),
		str("OriginatorID", func(r *ibmsg.CreateRequest) *string { return &r.OriginatorID }),
		str("Priority", func(r *ibmsg.CreateRequest) *string { return &r.Priority }),
		{name: "ApplicationData", pairs: func(in *Input) *[]ibmsg.WLNameValue { return &in.Create.ApplicationData }},
		{name: "AdditionalData", pairs: func(in *Input) *[]ibmsg.WLNameValue { return &in.Create.AdditionalData }},
		num("InstanceID", func(in *Input) *int64 { return &in.InstanceID }),
		num("TransactionID", func(in *Input) *int64 { return &in.TransactionID }),
	}
}

// foldKey compares keys ignoring case, '_' and '-': RequestMessageID,
// request_message_id and request-message-id are one key.
func foldKey(k string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(k))
}

// DecodeInput reads a request file (name appears in errors): a
// CreateWorklistEntryData or GetWorklistEntryStatusData XML document, or
// YAML or JSON with seed 004's field names (or their snake_case forms).
// The format comes from the extension (.xml, .yaml, .yml, .json), else
// from the content. Pairs are a list of {name, value} or a map NAME: VALUE
// (in file order). Unknown keys are errors with their line.
func DecodeInput(name string, data []byte) (*Input, error) {
	ext := strings.ToLower(filepath.Ext(name))
	isXML := ext == ".xml" || (ext != ".yaml" && ext != ".yml" && ext != ".json" && bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n\ufeff"), []byte("<")))
	if isXML {
		return decodeXMLInput(name, data)
	}
	return decodeYAMLInput(name, data)
}

func decodeXMLInput(name string, data []byte) (*Input, error) {
	root, err := ibmsg.RootElement(data)
	if err != nil {
		return nil, xmlInputError(name, err)
	}
	if root == ibmsg.WLStatusRequestRoot {
		r, err := ibmsg.ParseStatusRequest(data, "")
		if err != nil {
			return nil, xmlInputError(name, err)
		}
		return &Input{Create: ibmsg.CreateRequest{WLKeys: r.WLKeys}, InstanceID: r.InstanceID, TransactionID: r.TransactionID}, nil
	}
	r, err := ibmsg.ParseCreateRequest(data, "")
	if err != nil {
		var re *ibmsg.WLRootError
		if errors.As(err, &re) {
			return nil, &InputError{Name: name, Msg: fmt.Sprintf("the root element is <%s>: want %s (or %s)", re.Got, ibmsg.WLCreateRequestRoot, ibmsg.WLStatusRequestRoot)}
		}
		return nil, xmlInputError(name, err)
	}
	r.XMLName = xml.Name{} // the Service names the root
	return &Input{Create: *r}, nil
}

func xmlInputError(name string, err error) error {
	var se *ibmsg.SyntaxError
	if errors.As(err, &se) {
		return &InputError{Name: name, Line: se.Line, Msg: "not well-formed XML: " + se.Msg}
	}
	return &InputError{Name: name, Msg: strings.TrimPrefix(err.Error(), "ibmsg: ")}
}

func decodeYAMLInput(name string, data []byte) (*Input, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if l, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(l, "line ") {
			if n, err := strconv.Atoi(strings.TrimPrefix(l, "line ")); err == nil {
				line, msg = n, rest
			}
		}
		return nil, &InputError{Name: name, Line: line, Msg: "not valid YAML or JSON: " + msg}
	}
	if len(doc.Content) == 0 {
		return nil, &InputError{Name: name, Msg: "empty: give the request's fields (BusinessProcessName: ..., ApplicationData: ...)"}
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &InputError{Name: name, Line: top.Line, Msg: "want a mapping of field names to values (BusinessProcessName: ..., ApplicationData: ...)"}
	}
	fields := inputFields()
	byKey := map[string]inputField{}
	var names []string
	for _, f := range fields {
		byKey[foldKey(f.name)] = f
		names = append(names, f.name)
	}
	sort.Strings(names)
	in := &Input{}
	seen := map[string]int{} // field → line
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		f, ok := byKey[foldKey(k.Value)]
		if !ok {
			return nil, &InputError{Name: name, Line: k.Line, Msg: fmt.Sprintf("unknown field %q (fields: %s)", k.Value, strings.Join(names, ", "))}
		}
		if line, dup := seen[f.name]; dup {
			return nil, &InputError{Name: name, Line: k.Line, Msg: fmt.Sprintf("%s is given twice (first on line %d)", f.name, line)}
		}
		seen[f.name] = k.Line
		if f.pairs != nil {
			p, err := yamlPairs(name, f.name, v)
			if err != nil {
				return nil, err
			}
			*f.pairs(in) = p
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return nil, &InputError{Name: name, Line: v.Line, Msg: fmt.Sprintf("%s: want a single value", f.name)}
		}
		val := v.Value
		if v.Tag == "!!null" {
			val = ""
		}
		if err := f.set(in, val); err != nil {
			return nil, &InputError{Name: name, Line: v.Line, Msg: err.Error()}
		}
	}
	return in, nil
}

// yamlPairs reads ApplicationData or AdditionalData: a list of {name,
// value} mappings, or a mapping NAME: VALUE.
func yamlPairs(file, field string, v *yaml.Node) ([]ibmsg.WLNameValue, error) {
	scalar := func(n *yaml.Node) (string, error) {
		if n.Kind != yaml.ScalarNode {
			return "", &InputError{Name: file, Line: n.Line, Msg: fmt.Sprintf("%s: a name or value must be a single value", field)}
		}
		if n.Tag == "!!null" {
			return "", nil
		}
		return n.Value, nil
	}
	var out []ibmsg.WLNameValue
	switch v.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(v.Content); i += 2 {
			n, err := scalar(v.Content[i])
			if err != nil {
				return nil, err
			}
			val, err := scalar(v.Content[i+1])
			if err != nil {
				return nil, err
			}
			out = append(out, ibmsg.WLNameValue{Name: n, Value: val})
		}
	case yaml.SequenceNode:
		for _, item := range v.Content {
			if item.Kind != yaml.MappingNode {
				return nil, &InputError{Name: file, Line: item.Line, Msg: fmt.Sprintf("%s: each item must be {name: ..., value: ...}", field)}
			}
			var nv ibmsg.WLNameValue
			for i := 0; i+1 < len(item.Content); i += 2 {
				k := item.Content[i]
				val, err := scalar(item.Content[i+1])
				if err != nil {
					return nil, err
				}
				switch foldKey(k.Value) {
				case "name":
					nv.Name = val
				case "value":
					nv.Value = val
				default:
					return nil, &InputError{Name: file, Line: k.Line, Msg: fmt.Sprintf("%s: unknown key %q in a pair (name, value)", field, k.Value)}
				}
			}
			out = append(out, nv)
		}
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return nil, nil
		}
		fallthrough
	default:
		return nil, &InputError{Name: file, Line: v.Line, Msg: fmt.Sprintf("%s: want a list of {name, value} or a map of NAME: VALUE", field)}
	}
	return out, nil
}
