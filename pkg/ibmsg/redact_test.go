package ibmsg

import (
	"fmt"
	"strings"
	"testing"
)

func TestRedactRemovesSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		secrets []string // none may remain
		want    string   // exact output, when given
	}{
		{
			name:    "HTTP header",
			in:      "POST /PSIGW/HttpListeningConnector HTTP/1.1\r\nHost: gw\r\nOperationName: X.v1\r\nFrom: PTEST\r\nPassword: hunter2\r\n\r\n<a/>",
			secrets: []string{"hunter2"},
			want:    "POST /PSIGW/HttpListeningConnector HTTP/1.1\r\nHost: gw\r\nOperationName: X.v1\r\nFrom: PTEST\r\nPassword: REDACTED\r\n\r\n<a/>",
		},
		{
			name:    "lower-case header name, no space",
			in:      "password:hunter2\n",
			secrets: []string{"hunter2"},
			want:    "password:REDACTED\n",
		},
		{
			name:    "query string",
			in:      "POST /PSIGW/HttpListeningConnector?Operation=X&Password=hunter2&From=P HTTP/1.1",
			secrets: []string{"hunter2"},
			want:    "POST /PSIGW/HttpListeningConnector?Operation=X&Password=REDACTED&From=P HTTP/1.1",
		},
		{
			name:    "query string, password first and HTML-escaped &amp;",
			in:      `<a href="/PSIGW/HttpListeningConnector?Password=hunter2&amp;From=P">x</a> ...?From=P&amp;Password=hunter2`,
			secrets: []string{"hunter2"},
			want:    `<a href="/PSIGW/HttpListeningConnector?Password=REDACTED&amp;From=P">x</a> ...?From=P&amp;Password=REDACTED`,
		},
		{
			name:    "IBInfo CDATA",
			in:      `<IBInfo><From><RequestingNode><![CDATA[PTEST]]></RequestingNode><Password><![CDATA[hunter2]]></Password></From></IBInfo>`,
			secrets: []string{"hunter2"},
			want:    `<IBInfo><From><RequestingNode><![CDATA[PTEST]]></RequestingNode><Password>REDACTED</Password></From></IBInfo>`,
		},
		{
			name:    "IBRequest wrapper, multi-line",
			in:      "<From>\n  <Password>\n    hunter2\n  </Password >\n</From>",
			secrets: []string{"hunter2"},
			want:    "<From>\n  <Password>REDACTED</Password >\n</From>",
		},
		{
			name:    "WS-Security UsernameToken with a Type URL",
			in:      `<wsse:UsernameToken><wsse:Username>PS</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">hunter2</wsse:Password></wsse:UsernameToken>`,
			secrets: []string{"hunter2"},
			want:    `<wsse:UsernameToken><wsse:Username>PS</wsse:Username><wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">REDACTED</wsse:Password></wsse:UsernameToken>`,
		},
		{
			name:    "WS-Security, single-quoted attribute",
			in:      `<wsse:Password Type='http://x/y#PasswordText'>hunter2</wsse:Password>`,
			secrets: []string{"hunter2"},
			want:    `<wsse:Password Type='http://x/y#PasswordText'>REDACTED</wsse:Password>`,
		},
		{
			name:    "HTML-escaped IBInfo (gateway log)",
			in:      `&lt;From&gt;&lt;Password&gt;hunter2&lt;/Password&gt;&lt;/From&gt;`,
			secrets: []string{"hunter2"},
			want:    `&lt;From&gt;&lt;Password&gt;REDACTED&lt;/Password&gt;&lt;/From&gt;`,
		},
		{
			name:    "HTML-escaped CDATA",
			in:      `&lt;Password&gt;&lt;![CDATA[hunter2]]&gt;&lt;/Password&gt;`,
			secrets: []string{"hunter2"},
			want:    `&lt;Password&gt;REDACTED&lt;/Password&gt;`,
		},
		{
			name:    "HTML-escaped WS-Security with a Type URL",
			in:      `&lt;wsse:Password Type=&quot;http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText&quot;&gt;hunter2&lt;/wsse:Password&gt;`,
			secrets: []string{"hunter2"},
			want:    `&lt;wsse:Password Type=&quot;http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText&quot;&gt;REDACTED&lt;/wsse:Password&gt;`,
		},
		{
			name:    "Authorization Basic",
			in:      "GET / HTTP/1.1\r\nAuthorization: Basic UFM6aHVudGVyMg==\r\nAccept: */*\r\n",
			secrets: []string{"UFM6aHVudGVyMg=="},
			want:    "GET / HTTP/1.1\r\nAuthorization: REDACTED\r\nAccept: */*\r\n",
		},
		{
			name:    "Proxy-Authorization",
			in:      "Proxy-Authorization: Basic UFM6aHVudGVyMg==\n",
			secrets: []string{"UFM6aHVudGVyMg=="},
			want:    "Proxy-Authorization: REDACTED\n",
		},
		{
			name:    "SOAPAction path form",
			in:      "SOAPAction: \"http://peoplesoft.com/CHG_SYNC_TEST.v1/PTEST/hunter2/PSFT_HR\"\r\n",
			secrets: []string{"hunter2"},
			want:    "SOAPAction: \"http://peoplesoft.com/CHG_SYNC_TEST.v1/PTEST/REDACTED/PSFT_HR\"\r\n",
		},
		{
			name: "everything in one dump",
			in: "POST /PSIGW/HttpListeningConnector?Operation=X&Password=hunter2&From=P HTTP/1.1\r\n" +
				"Authorization: Basic aHVudGVyMg==\r\nPassword: hunter2\r\n\r\n" +
				`<IBInfo><From><Password><![CDATA[hunter2]]></Password></From></IBInfo>` + "\n" +
				`<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText">hunter2</wsse:Password>` + "\n" +
				`&lt;Password&gt;hunter2&lt;/Password&gt;`,
			secrets: []string{"hunter2", "aHVudGVyMg=="},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := RedactString(tt.in)
			for _, s := range tt.secrets {
				if strings.Contains(got, s) {
					t.Errorf("%q remains:\n%s", s, got)
				}
			}
			if !strings.Contains(got, "REDACTED") {
				t.Errorf("no REDACTED in:\n%s", got)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("Redact:\n got %q\nwant %q", got, tt.want)
			}
			if again := RedactString(got); again != got {
				t.Errorf("Redact is not idempotent:\n%q\n%q", got, again)
			}
			if b := string(Redact([]byte(tt.in))); b != got {
				t.Errorf("Redact and RedactString differ")
			}
		})
	}
}

func TestRedactLeavesOtherTextAlone(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"",
		"POST /PSIGW/HttpListeningConnector?Operation=X&From=P HTTP/1.1\r\nOperationName: X\r\nFrom: P\r\n\r\n<a/>",
		`<?xml version="1.0"?><IBInfo><MessageName><![CDATA[M]]></MessageName><From><RequestingNode><![CDATA[N]]></RequestingNode><Password/></From></IBInfo>`,
		`<Password />`,
		"PasswordHint: take a guess\nX-Password-Policy: strict\n",
		"<PasswordHint>a</PasswordHint>",
		"the Password field is required",
		"?PasswordReset=1&From=P",
		"SOAPAction: CHG_SYNC_TEST.v1",
	} {
		if got := RedactString(in); got != in {
			t.Errorf("Redact changed text without secrets:\n in %q\nout %q", in, got)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://u:pw@gw:8443/PSIGW/PeopleSoftServiceListeningConnector/PT_WORKLIST.1.wsdl": "https://gw:8443/PSIGW/PeopleSoftServiceListeningConnector/PT_WORKLIST.1.wsdl",
		"http://gw/login?From=PTEST&Password=leak&PASSWORD=x":                               "http://gw/login?From=PTEST&PASSWORD=REDACTED&Password=REDACTED",
		"http://gw/PSIGW":                    "http://gw/PSIGW",
		"http://gw/%zz?pw":                   "(unreadable URL)",
		"admin:pw0rd@gw2.example.edu/PSIGW":  "(unreadable URL)",
		"http://gw/PSIGW#Password=topsecret": "http://gw/PSIGW",
		"/login?Password=leak":               "/login?Password=REDACTED",
		"//admin:pw0rd@gw2/PSIGW?x=1#frag":   "//gw2/PSIGW?x=1",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMayHoldSecretEveryPlace puts each word (in several cases), ſ and
// near misses at every offset of texts long enough for the wide scan and
// its tail: MayHoldSecret must agree with the portable passes.
func TestMayHoldSecretEveryPlace(t *testing.T) {
	filler := "wozaftWOZAFTwfz" + strings.Repeat("<EMPLID>K0995997</EMPLID><NAME>Müller,Ix</NAME>\n", 3)
	for _, tc := range []struct {
		insert string
		want   bool
	}{
		{"password", true}, {"PASSWORD", true}, {"PassWord", true},
		{"authorization", true}, {"AUTHORIZATION", true},
		{"peoplesoft.com/", true}, {"PeopleSoft.COM/", true}, {"\u017f", true},
		{"passwor_", false}, {"_asswordx", false}, {"authorizatio_", false}, {"peoplesoft.com_", false},
		{"_eoplesoft.com/", false}, {"\xc5", false}, {"\xc5\xc5", false}, {"wzf", false}, {"WZF", false},
	} {
		for _, n := range []int{0, 5, 31, 32, 33, 63, 64, 100, 127, 128, 129, 140} {
			for off := 0; off <= n; off++ {
				s := filler[:off] + tc.insert + filler[off:n]
				eachSecretScanWidth(func() {
					if got, portable := MayHoldSecret(s), mayHoldSecretPortable(s); got != tc.want || portable != tc.want {
						t.Fatalf("%q (AVX-512 %v): MayHoldSecret %v, the portable passes %v, want %v", s, simd512, got, portable, tc.want)
					}
				})
			}
		}
	}
}

// eachSecretScanWidth runs f with MayHoldSecret's widest scan and, where
// that is AVX-512's, again with AVX2's alone.
func eachSecretScanWidth(f func()) {
	wide := simd512
	defer func() { simd512 = wide }()
	f()
	if wide {
		simd512 = false
		f()
	}
}

// FuzzMayHoldSecret checks MayHoldSecret against the portable passes at
// every offset (the wide scan's loads are unaligned).
func FuzzMayHoldSecret(f *testing.F) {
	f.Add(strings.Repeat("<a>x</a>", 5) + "pAsSwOrD" + strings.Repeat("y", 30))
	f.Add(strings.Repeat("f", 40) + "peoplesoft.com" + "\xc5")
	f.Fuzz(func(t *testing.T, s string) {
		eachSecretScanWidth(func() {
			for off := range min(len(s), 70) {
				if got, want := MayHoldSecret(s[off:]), mayHoldSecretPortable(s[off:]); got != want {
					t.Fatalf("%q[%d:] (AVX-512 %v): MayHoldSecret %v, the portable passes %v", s, off, simd512, got, want)
				}
			}
		})
	})
}

// BenchmarkMayHoldSecret checks a rowset payload like those of the decode
// benchmark's log, which holds none of the words.
func BenchmarkMayHoldSecret(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0"?><PERSON_SYNC><FieldTypes><PERSON class="R"><EMPLID type="CHAR"/></PERSON></FieldTypes><MsgData>`)
	for i := range 200 {
		fmt.Fprintf(&sb, `<Transaction><PERSON class="R"><EMPLID>K%07d</EMPLID><NAME>Müller,A</NAME><CITY>Zürich</CITY><SALARY>%d.50</SALARY></PERSON><PSCAMA class="R"><AUDIT_ACTN>A</AUDIT_ACTN></PSCAMA></Transaction>`, i*7919, 20000+i)
	}
	sb.WriteString(`</MsgData></PERSON_SYNC>`)
	s := sb.String()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		if MayHoldSecret(s) {
			b.Fatal("no secret there")
		}
	}
}

// TestIsCredentialHeader: the first-letter check passes over no name that
// Unicode folding takes for one of the three.
func TestIsCredentialHeader(t *testing.T) {
	for _, name := range []string{"Password", "PASSWORD", "paſſword", "Authorization", "authoriZation", "Proxy-Authorization",
		"PROXY-AUTHORIZATION", "", "p", "a", "xPassword", "Password ", "Content-Type", "ÞPassword", "Passwort"} {
		want := strings.EqualFold(name, "Password") || strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization")
		if got := isCredentialHeader(name); got != want {
			t.Errorf("isCredentialHeader(%q) = %v, want %v", name, got, want)
		}
	}
}
