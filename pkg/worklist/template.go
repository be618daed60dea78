package worklist

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"text/template"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// Template replaces psib's shape of a request document (docs/worklist.md)
// with a site's own: a Go text/template whose result is the SOAP Body's
// content. It sees the request's fields by their seed 004 names, already
// XML-escaped ({{.BusinessProcessName}}, {{range .ApplicationData}}
// {{.Name}} {{.Value}} {{end}}, {{.InstanceID}} for status), plus
// {{.Namespace}} and {{.Root}} (the request element the Service names) and
// {{.Operation}} (the external alias).
type Template struct {
	name string
	t    *template.Template
}

// TemplateError reports a template that cannot be parsed or run, or whose
// result is not well-formed XML. Nothing was sent.
type TemplateError struct {
	Name, Msg string
}

// Error reads "worklist: template NAME: MSG", or "worklist: template
// NAME:LINE: ..." when MSG starts with the template's name and line.
func (e *TemplateError) Error() string {
	if strings.HasPrefix(e.Msg, e.Name+":") {
		return "worklist: template " + e.Msg
	}
	return "worklist: template " + e.Name + ": " + e.Msg
}

// ParseTemplate parses a template; name (the file) appears in errors with
// the line.
func ParseTemplate(name, text string) (*Template, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, &TemplateError{Name: name, Msg: strings.TrimPrefix(err.Error(), "template: ")}
	}
	return &Template{name: name, t: t}, nil
}

// templateNames are the names every template sees.
type templateNames struct {
	Namespace, Root, Operation string
}

// createTemplateData is what a create template sees.
type createTemplateData struct {
	ibmsg.CreateRequest
	templateNames
}

// statusTemplateData is what a status template sees.
type statusTemplateData struct {
	ibmsg.StatusRequest
	templateNames
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func escPairs(in []ibmsg.WLNameValue) []ibmsg.WLNameValue {
	out := make([]ibmsg.WLNameValue, len(in))
	for i, nv := range in {
		out[i] = ibmsg.WLNameValue{Name: esc(nv.Name), Value: esc(nv.Value)}
	}
	return out
}

// escKeys escapes the keys for XML text.
func escKeys(k ibmsg.WLKeys) ibmsg.WLKeys {
	return ibmsg.WLKeys{RequestMessageID: esc(k.RequestMessageID), BusinessProcessName: esc(k.BusinessProcessName),
		ActivityName: esc(k.ActivityName), EventName: esc(k.EventName), WorklistName: esc(k.WorklistName)}
}

func namesFor(root xml.Name, action string) templateNames {
	return templateNames{Namespace: esc(root.Space), Root: esc(root.Local), Operation: esc(action)}
}

// renderCreate runs the template on a create request.
func (t *Template) renderCreate(r *ibmsg.CreateRequest, root xml.Name, action string) ([]byte, error) {
	e := ibmsg.CreateRequest{WLKeys: escKeys(r.WLKeys),
		OperatorID: esc(r.OperatorID), OriginatorID: esc(r.OriginatorID), Priority: esc(r.Priority),
		ApplicationData: escPairs(r.ApplicationData), AdditionalData: escPairs(r.AdditionalData)}
	return t.run(createTemplateData{CreateRequest: e, templateNames: namesFor(root, action)})
}

// renderStatus runs the template on a status request.
func (t *Template) renderStatus(r *ibmsg.StatusRequest, root xml.Name, action string) ([]byte, error) {
	e := ibmsg.StatusRequest{WLKeys: escKeys(r.WLKeys), InstanceID: r.InstanceID, TransactionID: r.TransactionID}
	return t.run(statusTemplateData{StatusRequest: e, templateNames: namesFor(root, action)})
}

func (t *Template) run(data any) ([]byte, error) {
	var b bytes.Buffer
	if err := t.t.Execute(&b, data); err != nil {
		return nil, &TemplateError{Name: t.name, Msg: strings.TrimPrefix(err.Error(), "template: ")}
	}
	out := bytes.TrimSpace(b.Bytes())
	if err := ibmsg.CheckXML(out); err != nil {
		return nil, &TemplateError{Name: t.name, Msg: fmt.Sprintf("the result is not one well-formed XML document (%s):\n%s",
			strings.TrimPrefix(err.Error(), "ibmsg: "), out)}
	}
	return out, nil
}
