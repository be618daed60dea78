package ibmsg

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/psib-dev/psib/pkg/secret"
)

func fullCredentials() Credentials {
	return Credentials{
		OperationName:     "CHG_SYNC_TEST.v1",
		OperationType:     "sync",
		From:              "PTEST",
		To:                "PSFT_HR",
		Password:          secret.New("hunter2"),
		ExternalMessageID: "MSG-0001",
		NonRepudiation:    "N",
		OrigUser:          "PS",
		OrigNode:          "ORIG",
		OrigProcess:       "psib",
		OrigTimeStamp:     "2001-11-13T10:07:18.817-0800",
		FinalDestination:  "FINAL",
		SubQueue:          "SUBQ",
		MessageName:       "CHG_SYNC_TEST",
		MessageVersion:    "VERSION_1",
	}
}

// TestSetHeadersOnTheWire sends a request through net/http to a raw TCP
// listener and checks the header names as they appear in the bytes.
func TestSetHeadersOnTheWire(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()

	got := make(chan []byte, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		br := bufio.NewReader(conn)
		var raw bytes.Buffer
		for {
			line, err := br.ReadBytes('\n')
			raw.Write(line)
			if err != nil || bytes.Equal(line, []byte("\r\n")) {
				break
			}
		}
		_, _ = conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		got <- raw.Bytes()
	}()

	c := fullCredentials()
	req, err := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/PSIGW/HttpListeningConnector", strings.NewReader("<a/>"))
	if err != nil {
		t.Fatal(err)
	}
	c.SetHeaders(req.Header)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	raw := string(<-got)
	if raw == "" {
		t.Fatal("listener read nothing")
	}
	for _, line := range []string{
		"OperationName: CHG_SYNC_TEST.v1",
		"OperationType: sync",
		"From: PTEST",
		"To: PSFT_HR",
		"Password: hunter2",
		"ExternalMessageID: MSG-0001",
		"NonRepudiation: N",
		"OrigUser: PS",
		"OrigNode: ORIG",
		"OrigProcess: psib",
		"OrigTimeStamp: 2001-11-13T10:07:18.817-0800",
		"FinalDestination: FINAL",
		"SubQueue: SUBQ",
		"MessageName: CHG_SYNC_TEST",
		"MessageVersion: VERSION_1",
	} {
		if !strings.Contains(raw, "\r\n"+line+"\r\n") {
			t.Errorf("wire request lacks the exact line %q:\n%s", line, raw)
		}
	}
	for _, canon := range []string{"Operationname:", "Operationtype:", "Externalmessageid:", "Nonrepudiation:", "Origtimestamp:", "Finaldestination:"} {
		if strings.Contains(raw, canon) {
			t.Errorf("wire request has canonicalized %q:\n%s", canon, raw)
		}
	}
}

func TestSetHeadersKeys(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	Credentials{OperationName: "X", From: "N"}.SetHeaders(h)
	if !reflect.DeepEqual(h, http.Header{"OperationName": {"X"}, "From": {"N"}}) {
		t.Errorf("SetHeaders wrote %v", h)
	}
	if _, ok := h["Operationname"]; ok {
		t.Errorf("SetHeaders used the canonical key")
	}
}

func TestCredentialsQueryRoundTrip(t *testing.T) {
	t.Parallel()
	c := fullCredentials()
	q := c.Query()
	if q.Get("Operation") != "CHG_SYNC_TEST.v1" {
		t.Errorf("Query Operation = %q", q.Get("Operation"))
	}
	if _, ok := q["OperationName"]; ok {
		t.Errorf("Query wrote OperationName; the query-string name is Operation: %v", q)
	}
	if q.Get("Password") != "hunter2" {
		t.Errorf("Query Password = %q", q.Get("Password"))
	}
	parsed, err := url.ParseQuery(q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	back := CredentialsFromQuery(parsed)
	if !reflect.DeepEqual(back, c) {
		t.Errorf("query round trip:\n got %#v\nwant %#v", back, c)
	}
	if back.Password.Reveal() != "hunter2" {
		t.Errorf("password lost: %q", back.Password.Reveal())
	}
}

func TestCredentialsFromQueryForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query string
		op    string
		from  string
	}{
		{"Operation=X_PP_IB_SVOP_X.v1&From=PSFT_EP", "X_PP_IB_SVOP_X.v1", "PSFT_EP"},
		{"&Operation=X.v1&From=PSFT_EP", "X.v1", "PSFT_EP"}, // samples/18 starts with "?&"
		{"OperationName=Y.v1&From=N", "Y.v1", "N"},
		{"OperationName=Y.v1&Operation=X.v1&From=N", "X.v1", "N"},
		{"operation=X.v1&from=N", "", ""}, // names are case-sensitive
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		c := CredentialsFromQuery(q)
		if c.OperationName != tt.op || c.From != tt.from {
			t.Errorf("CredentialsFromQuery(%q): OperationName %q From %q, want %q %q", tt.query, c.OperationName, c.From, tt.op, tt.from)
		}
	}
}

func TestCredentialsValidate(t *testing.T) {
	t.Parallel()
	ok := Credentials{OperationName: "X.v1", From: "N"}
	with := func(f func(*Credentials)) Credentials { c := ok; f(&c); return c }
	tests := []struct {
		name    string
		c       Credentials
		wantErr []string // substrings; nil means valid
	}{
		{"minimal", ok, nil},
		{"full", fullCredentials(), nil},
		{"missing OperationName", with(func(c *Credentials) { c.OperationName = "" }), []string{"OperationName"}},
		{"blank OperationName", with(func(c *Credentials) { c.OperationName = "  " }), []string{"OperationName"}},
		{"missing From", with(func(c *Credentials) { c.From = "" }), []string{"From"}},
		{"missing both", Credentials{}, []string{"OperationName", "From"}},
		{"70-char ExternalMessageID", with(func(c *Credentials) { c.ExternalMessageID = strings.Repeat("a", 70) }), nil},
		{"71-char ExternalMessageID", with(func(c *Credentials) { c.ExternalMessageID = strings.Repeat("a", 71) }), []string{"ExternalMessageID", "71", "70"}},
		{"OperationType Sync", with(func(c *Credentials) { c.OperationType = "Sync" }), nil},
		{"OperationType async", with(func(c *Credentials) { c.OperationType = "async" }), nil},
		{"OperationType Ping", with(func(c *Credentials) { c.OperationType = "Ping" }), nil},
		{"bad OperationType", with(func(c *Credentials) { c.OperationType = "fire-and-forget" }), []string{"OperationType", "fire-and-forget"}},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if tt.wantErr == nil {
			if err != nil {
				t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: Validate() = nil, want an error", tt.name)
			continue
		}
		for _, s := range tt.wantErr {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q does not mention %q", tt.name, err, s)
			}
		}
	}
}

func TestCredentialsMerge(t *testing.T) {
	t.Parallel()
	mine := Credentials{OperationName: "MINE.v1", To: "MY_TO"}
	theirs := Credentials{OperationName: "THEIRS.v1", From: "THEIR_FROM", To: "THEIR_TO", SubQueue: "Q", Password: secret.New("theirs")}
	got := mine.Merge(theirs)
	want := Credentials{OperationName: "MINE.v1", From: "THEIR_FROM", To: "MY_TO", SubQueue: "Q", Password: secret.New("theirs")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge:\n got %#v\nwant %#v", got, want)
	}
	if mine.From != "" || !mine.Password.IsZero() {
		t.Errorf("Merge changed its receiver: %#v", mine)
	}
	if theirs.OperationName != "THEIRS.v1" {
		t.Errorf("Merge changed its argument: %#v", theirs)
	}
	mine.Password = secret.New("mine")
	if p := mine.Merge(theirs).Password.Reveal(); p != "mine" {
		t.Errorf("Merge password = %q, want the receiver's", p)
	}
	if !(Credentials{}).Merge(Credentials{}).IsZero() {
		t.Errorf("merging zero values is not zero")
	}
}

func TestCredentialsFromHeaderCaseSensitive(t *testing.T) {
	t.Parallel()
	h := Header{
		{Name: "operationname", Value: "LOWER.v1"},
		{Name: "Operationname", Value: "CANON.v1"},
		{Name: "From", Value: "  PTEST  "},
		{Name: "password", Value: "lower"},
		{Name: "OrigTimeStamp", Value: "2001-11-13T10:07:18.817-0800"},
	}
	c := CredentialsFromHeader(h)
	if c.OperationName != "" {
		t.Errorf("OperationName = %q read from a differently cased field", c.OperationName)
	}
	if !c.Password.IsZero() {
		t.Errorf("password read from a lower-case field")
	}
	if c.From != "PTEST" || c.OrigTimeStamp != "2001-11-13T10:07:18.817-0800" {
		t.Errorf("From %q OrigTimeStamp %q", c.From, c.OrigTimeStamp)
	}
	h = append(h, HeaderField{Name: "OperationName", Value: "EXACT.v1"}, HeaderField{Name: "Password", Value: "hunter2"})
	c = CredentialsFromHeader(h)
	if c.OperationName != "EXACT.v1" || c.Password.Reveal() != "hunter2" {
		t.Errorf("exact names not read: %q %q", c.OperationName, c.Password.Reveal())
	}
}

func TestCredentialsIsZeroAndPrinting(t *testing.T) {
	t.Parallel()
	if !(Credentials{}).IsZero() {
		t.Error("zero Credentials not IsZero")
	}
	if (Credentials{Password: secret.New("x")}).IsZero() {
		t.Error("Credentials with only a password reported IsZero")
	}
	c := fullCredentials()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, c); strings.Contains(s, "hunter2") || !strings.Contains(s, "REDACTED") {
			t.Errorf("%s of Credentials: %s", verb, s)
		}
	}
}
