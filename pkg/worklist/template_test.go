package worklist

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/ibmsg"
)

// A template replaces the request shape; values arrive XML-escaped and the
// emulator (which reads by local names) still understands the result.
func TestTemplates(t *testing.T) {
	create, err := ParseTemplate("create.tmpl", `<c:{{.Root}} xmlns:c="{{.Namespace}}" op="{{.Operation}}">
  <c:Record class="R">
    <c:RequestMessageID>{{.RequestMessageID}}</c:RequestMessageID>
    <c:BusinessProcessName>{{.BusinessProcessName}}</c:BusinessProcessName><c:ActivityName>{{.ActivityName}}</c:ActivityName>
    <c:EventName>{{.EventName}}</c:EventName><c:WorklistName>{{.WorklistName}}</c:WorklistName><c:OperatorID>{{.OperatorID}}</c:OperatorID>
  </c:Record>
  <c:ApplicationData>{{range .ApplicationData}}<c:Name>{{.Name}}</c:Name><c:Value>{{.Value}}</c:Value>{{end}}</c:ApplicationData>
</c:{{.Root}}>`)
	if err != nil {
		t.Fatal(err)
	}
	status, err := ParseTemplate("status.tmpl", `<GetWorklistEntryStatusData xmlns="{{.Namespace}}"><Keys>
<RequestMessageID>{{.RequestMessageID}}</RequestMessageID><BusinessProcessName>{{.BusinessProcessName}}</BusinessProcessName>
<ActivityName>{{.ActivityName}}</ActivityName><EventName>{{.EventName}}</EventName><WorklistName>{{.WorklistName}}</WorklistName>
{{if .InstanceID}}<InstanceID>{{.InstanceID}}</InstanceID>{{end}}</Keys></GetWorklistEntryStatusData>`)
	if err != nil {
		t.Fatal(err)
	}
	e := startEmulator(t, nil)
	c, _ := newTestClient(t, e, func(o *Options) { o.CreateTemplate, o.StatusTemplate = create, status })
	req := sampleRequest()
	req.BusinessProcessName = "R&D <Hire>"
	req.ApplicationData = append(req.ApplicationData, ibmsg.WLNameValue{Name: "COMMENT", Value: `"quoted" & <tagged>`})
	res, err := c.Create(context.Background(), req, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	entry := e.srv.Worklist()[0]
	if entry.BusinessProcessName != "R&D <Hire>" || len(entry.ApplicationData) != 2 || entry.ApplicationData[1].Value != `"quoted" & <tagged>` || entry.Priority != "" {
		t.Errorf("entry %+v", entry)
	}
	keys := res.Request.Keys()
	keys.InstanceID = 1
	st, err := c.Status(context.Background(), &keys)
	if err != nil || st.ResponseStatus != ibmsg.WLResponseCreated {
		t.Errorf("status through a template: %+v %v", st, err)
	}
}

func TestTemplateErrors(t *testing.T) {
	if _, err := ParseTemplate("bad.tmpl", "<a>\n{{.Foo</a>"); err == nil || !strings.HasPrefix(err.Error(), "worklist: template bad.tmpl:2: ") {
		t.Errorf("parse error: %v", err)
	}
	for _, tt := range []struct{ text, want string }{
		{"<a>{{.Nope}}</a>", "can't evaluate field Nope"},
		{"<a>{{.EventName}}", "the result is not one well-formed XML document"},
		{"", "the result is not one well-formed XML document"},
	} {
		tmpl, err := ParseTemplate("t.tmpl", tt.text)
		if err != nil {
			t.Fatal(err)
		}
		f := &fakePoster{}
		c, _ := New(Options{Gateway: f, CreateTemplate: tmpl})
		_, err = c.Create(context.Background(), sampleRequest(), CreateOptions{})
		var te *TemplateError
		if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want %q", tt.text, err, tt.want)
		}
		if len(f.got) != 0 {
			t.Errorf("%q: sent", tt.text)
		}
	}
}
