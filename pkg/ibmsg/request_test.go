package ibmsg

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/psib-dev/psib/pkg/secret"
)

func TestParseRequestWrapperFixture(t *testing.T) {
	t.Parallel()
	r, err := ParseRequest(readFixture(t, "ibrequest-wrapper.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := &Request{
		Credentials: Credentials{OperationName: "OPERATION.VERSION"},
		Data:        []byte(`<?xml version="1.0"?>your_message_content`),
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("ParseRequest:\n got %+v (data %q)\nwant %+v (data %q)", r, r.Data, want, want.Data)
	}
	if !r.Password.IsZero() {
		t.Errorf("empty <Password/> read as a password")
	}
}

func TestRequestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  Request
	}{
		{
			name: "every wrapper field, payload with ]]>",
			req: Request{
				Credentials: Credentials{
					OperationName:    "CHG_SYNC_TEST.v1",
					OperationType:    "sync",
					From:             "PTEST",
					To:               "PSFT_HR",
					Password:         secret.New("p]]>w&<d"),
					NonRepudiation:   "N",
					OrigUser:         "PS",
					OrigNode:         "ORIG_NODE",
					OrigProcess:      "psib",
					OrigTimeStamp:    "2001-11-13T10:07:18.817-0800",
					FinalDestination: "FINAL_NODE",
					SubQueue:         "SUBQ1",
					MessageVersion:   "VERSION_1",
				},
				Data: []byte(`<?xml version="1.0"?><x><![CDATA[inner]]><y>a &amp; b</y>]]&gt;</x>`),
			},
		},
		{
			name: "minimal, text with markup characters",
			req: Request{
				Credentials: Credentials{OperationName: "A&B<C>.v1", From: "N"},
				Data:        []byte("plain ]]> text & <more>"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := tt.req.Marshal()
			if err := CheckXML(doc); err != nil {
				t.Fatalf("Marshal wrote bad XML: %v\n%s", err, doc)
			}
			got, err := ParseRequest(doc)
			if err != nil {
				t.Fatalf("ParseRequest(Marshal()): %v\n%s", err, doc)
			}
			if !reflect.DeepEqual(got, &tt.req) {
				t.Errorf("round trip:\n got %+v data %q\nwant %+v data %q\n%s", got, got.Data, tt.req, tt.req.Data, doc)
			}
			if got.Password.Reveal() != tt.req.Password.Reveal() {
				t.Errorf("password %q, want %q", got.Password.Reveal(), tt.req.Password.Reveal())
			}
		})
	}
}

func TestRequestMarshalLayout(t *testing.T) {
	t.Parallel()
	r := Request{Credentials: Credentials{OperationName: "OP.v1", From: "N", Password: secret.New("pw")}, Data: []byte("\n  <a/>  \n")}
	doc := string(r.Marshal())
	// Elements appear in the documented order, empty ones as <X/>.
	order := []string{"<ExternalOperationName>OP.v1<", "<OperationType/>", "<From>", "<RequestingNode>N<", "<Password><![CDATA[pw]]></Password>",
		"<OrigUser/>", "<OrigNode/>", "<OrigProcess/>", "<OrigTimeStamp/>", "<To>", "<FinalDestination/>", "<DestinationNode/>",
		"<SubChannel/>", "<ContentSections>", "<NonRepudiation/>", "<MessageVersion/>", "<Data><![CDATA[<a/>]]></Data>"}
	pos := 0
	for _, s := range order {
		i := strings.Index(doc[pos:], s)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", s, doc)
		}
		pos += i + len(s)
	}
}

func TestParseRequestRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		doc    string
		target error
	}{
		{
			name: "XXE: DOCTYPE with a SYSTEM entity (CVE-2013-3821)",
			doc: `<?xml version="1.0"?>
<!DOCTYPE IBRequest [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<IBRequest>
   <ExternalOperationName>&x;</ExternalOperationName>
   <OperationType/>
   <From><RequestingNode/><Password/></From>
   <ContentSections><ContentSection><Data><![CDATA[<?xml version="1.0"?>x]]></Data></ContentSection></ContentSections>
</IBRequest>`,
			target: ErrUnsafeXML,
		},
		{
			name:   "DOCTYPE without entities",
			doc:    `<!DOCTYPE IBRequest><IBRequest><ExternalOperationName>A</ExternalOperationName></IBRequest>`,
			target: ErrUnsafeXML,
		},
		{
			name:   "other root",
			doc:    `<IBResponse type="success"/>`,
			target: ErrNotIB,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := ParseRequest([]byte(tt.doc))
			if !errors.Is(err, tt.target) {
				t.Fatalf("ParseRequest = %+v, %v; want errors.Is %v", r, err, tt.target)
			}
			if r != nil {
				t.Errorf("request returned with the error: %+v", r)
			}
		})
	}
}

func TestParseRequestSyntaxError(t *testing.T) {
	t.Parallel()
	_, err := ParseRequest([]byte("<IBRequest>\n<ExternalOperationName>A</ExternalOperationName>\n<From>"))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Line == 0 {
		t.Fatalf("error %v, want *SyntaxError with a line", err)
	}
}
