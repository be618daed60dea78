package gwlog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// fuzzSeeds are the fixtures of both packages: logs, captures, documents.
func fuzzSeeds(f *testing.F) {
	f.Helper()
	for _, pattern := range []string{"../../testdata/gwlog/*", "../../testdata/gwlog/*/*", "../../testdata/ibmsg/*.mime", "../../testdata/ibmsg/*.xml"} {
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if strings.Contains(p, ".golden") {
				continue
			}
			if data, err := os.ReadFile(p); err == nil && len(data) < 16<<10 {
				// (Larger seeds make minimizing each new input slow.)
				f.Add(data)
			}
		}
	}
	f.Add([]byte("<pre>Message-ID: x\nContent-Type: multipart/related; boundary=b\n\n--b\nContent-ID: IBInfo\n\n<IBInfo/>\n--b--\n</pre>"))
	f.Add([]byte("POST /PSIGW/HttpListeningConnector HTTP/1.1\r\nContent-Length: 5\r\n\r\n<a/>\r\nHTTP/1.1 200 OK\r\n\r\n<IBResponse type=\"success\"/>"))
	f.Add([]byte("&lt;IBResponse type=&quot;error&quot;&gt;&lt;![CDATA[<br>]]&gt;<br>&lt;/IBResponse&gt;"))
}

// FuzzScan feeds anything to the scanner: it must not panic, must hand
// records on in input order with 1-based lines inside the input, and must
// find the same messages whatever the number of workers and however the
// input is split into reads.
func FuzzScan(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		collect := func(workers int, r interface{ Read([]byte) (int, error) }) []string {
			var got []string
			last := 0
			err := Decode(context.Background(), r, "f", Options{Workers: workers, MaxMessageBytes: 1 << 16}, func(rec *Record, err error) error {
				line := 0
				if rec != nil {
					line = rec.Line
					b, jerr := json.Marshal(rec)
					if jerr != nil {
						t.Fatalf("record does not marshal: %v", jerr)
					}
					got = append(got, string(b))
				} else {
					var ge *Error
					if !errors.As(err, &ge) {
						t.Fatalf("a problem without a place: %v", err)
					}
					line = ge.Line
					got = append(got, "ERR "+err.Error())
				}
				if err != nil && strings.Contains(err.Error(), "internal error while decoding") {
					t.Fatalf("a parser panicked: %v", err)
				}
				if line < 1 || line > lines {
					t.Fatalf("line %d outside the input (%d lines)", line, lines)
				}
				if line < last {
					t.Fatalf("line %d after line %d: out of order", line, last)
				}
				last = line
				return nil
			})
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			return got
		}
		a := collect(1, bytes.NewReader(data))
		b := collect(3, &oneByteReader{data: data})
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("workers/reads change the result:\n%q\n%q", a, b)
		}
	})
}

// oneByteReader returns at most 7 bytes per Read, so that chunk edges fall
// everywhere.
type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 7)], r.data)
	r.data = r.data[n:]
	return n, nil
}

// FuzzStackLinePrefilter: mayBeStackLine never turns away a line
// stackLineRE matches.
func FuzzStackLinePrefilter(f *testing.F) {
	for _, s := range []string{"\tat com.peoplesoft.pt.integrationgateway.framework.IBRequest.init(IBRequest.java:42)", "Caused by: java.io.IOException: x",
		"\t... 12 more", "com.peoplesoft.pt.IntegrationGatewayException: boom", "--- response ---", "=== x ===", "** x **",
		"PD94bWwgdmVyc2lvbj0iMS4wIj8+PENIR19BU1lOQ19VVEVTVD4=", "  <MessageName>X</MessageName>", "a.b.c.Error", " \t at x("} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if stackLineRE.MatchString(s) && !mayBeStackLine([]byte(s)) {
			t.Fatalf("prefilter turned away a stack line: %q", s)
		}
	})
}

// javaDateRE is what matchJavaDate matches (at the start of b), as a
// regular expression.
var javaDateRE = regexp.MustCompile(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 0-3]?\d \d\d:\d\d:\d\d(?:\.\d{1,9})? [A-Za-z][A-Za-z0-9+:\-]{1,9} \d{4}`)

// FuzzMatchJavaDate: matchJavaDate matches what javaDateRE matches, to the
// same length.
func FuzzMatchJavaDate(f *testing.F) {
	for _, s := range []string{"Mon Mar 02 09:30:00.123 PST 2026", "Sun Mar 01 09:00:00 PST 2026 rest", "Tue Mar  2 09:30:00 GMT+01:00 2026",
		"Wed Mar 2 09:30:00.1234567890 PST 2026", "Thu Mar 02 09:30:00. PST 2026", "Fri Dec 31 23:59:59 ABCDEFGHIJK 2026",
		"Sat Jan 05 00:00:00 A 2026", "Mon Feb 39 09:30:00 UTC 20261", "Mon Mar 0 09:30:00 UTC 2026", "Mon Mar 12 09:30:00 UTC 202",
		"Mon Mar 12 09:30:00  UTC 2026", "Mon Mar 12 9:30:00 UTC 2026", "Mon Mar 12 09:30:00.999999999 X1 2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := 0
		if m := javaDateRE.FindStringIndex(s); m != nil {
			want = m[1]
		}
		if got := matchJavaDate([]byte(s)); got != want {
			t.Fatalf("matchJavaDate(%q) = %d, the expression matches %d bytes", s, got, want)
		}
	})
}

// connectorRE is what findConnector finds, as a regular expression.
var connectorRE = regexp.MustCompile(`\b[A-Z][A-Za-z0-9]*(?:Listening|Target)Connector\b`)

// FuzzFindConnector: findConnector finds what connectorRE finds.
func FuzzFindConnector(f *testing.F) {
	for _, s := range []string{"PeopleSoftListeningConnector: request received", "HttpTargetConnector:HttpTargetConnector:send",
		"ListeningConnector TargetConnector XTargetConnector", "a_HttpListeningConnector HttpListeningConnectorX HttpListeningConnector",
		"httpListeningConnector /PSIGW/HttpListeningConnector?x", "PSFT_TargetConnector ÄHttpTargetConnector", "ConnectorConnector ATargetConnectorConnector",
		"Http1ListeningConnector.", "XListeningConnector_ YListeningConnector"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := connectorRE.FindString(s)
		if got := string(findConnector([]byte(s))); got != want {
			t.Fatalf("findConnector(%q) = %q, the expression finds %q", s, got, want)
		}
	})
}

// FuzzUnescapeHTMLInPlace: unescaping in place gives unescapeHTML's text.
func FuzzUnescapeHTMLInPlace(f *testing.F) {
	for _, s := range []string{"&lt;IBInfo&gt;&#34;x&#34;&amp;amp;", "a&nGt;b&lt;c", "&&;&#;&#x;&#0;&#1114112;&#x10FFFF;&nbsp;&eacute;&", "no entity", "&lt",
		"&lt;&lt;&gt;&amp;lt;&#x41;&#65;&quot;&apos;" + strings.Repeat("QUJD", 40), strings.Repeat("&lt;a&gt;", 300) + "tail",
		strings.Repeat("&lt;EMPLID&gt;K0995997&lt;/EMPLID&gt;", 4) + strings.Repeat("x", 70) + "&amp;&nGt;" + strings.Repeat("y", 40)} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		want := unescapeHTML(b)
		if got := unescapeHTMLInPlace(bytes.Clone(b)); !bytes.Equal(got, want) {
			t.Fatalf("in place %q, unescapeHTML %q", got, want)
		}
		if simd512 {
			simd512 = false
			got := unescapeHTMLInPlace(bytes.Clone(b))
			simd512 = true
			if !bytes.Equal(got, want) {
				t.Fatalf("in place (AVX2) %q, unescapeHTML %q", got, want)
			}
		}
		if got := unescapeBackward(bytes.Clone(b)); !bytes.Equal(got, want) {
			t.Fatalf("backward %q, unescapeHTML %q", got, want)
		}
		if got := unescapeForward(bytes.Clone(b)); !bytes.Equal(got, want) {
			t.Fatalf("forward %q, unescapeHTML %q", got, want)
		}
	})
}

// FuzzIndexFold: indexFold finds the first match in any ASCII case, as a
// plain loop over every position does.
func FuzzIndexFold(f *testing.F) {
	for _, s := range []string{"<a PsNonXml=\"Y\">", "xXpsnonxmlPSNONXML", "Message-Id: <1@x> MESSAGE-ID:", "ps\u017fnonxml", "pSnOnXmL"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []struct {
			s    string
			rare int
		}{{"PsNonXml", 5}, {"Message-ID:", 4}, {"Message-ID:", 0}} {
			want := -1
			for i := 0; i+len(c.s) <= len(b); i++ {
				if strings.EqualFold(string(b[i:i+len(c.s)]), c.s) {
					want = i
					break
				}
			}
			if got := indexFold(b, c.s, c.rare); got != want {
				t.Fatalf("indexFold(%q, %q, %d) = %d, want %d", b, c.s, c.rare, got, want)
			}
		}
	})
}

// FuzzXMLTracker: on escaped text, the tracker's fast path through tags
// ends the document where reading byte by byte does, line after line.
func FuzzXMLTracker(f *testing.F) {
	f.Add("IBResponse", "&lt;IBResponse type=&#34;a/&#34; /&gt;\n&lt;IBResponse&gt;x&lt;/IBResponse &gt;")
	f.Add("R", "&lt;R a=&quot;&gt;&quot;&gt;&lt;R/ &gt;&lt;/R\n&gt;&lt;/R&gt;")
	f.Add("a", "&lt;a &amp; /\n &gt;&lt;a&gt;&lt;![CDATA[&lt;/a&gt;]]&gt;&lt;/a&gt;")
	f.Fuzz(func(t *testing.T, root, text string) {
		fast := &xmlTracker{root: []byte(root), esc: true}
		slow := &xmlTracker{root: []byte(root), esc: true, bytewise: true}
		for _, line := range strings.Split(text, "\n") {
			a, b := fast.feed([]byte(line)), slow.feed([]byte(line))
			// (slash matters only inside the root's tags.)
			if a != b || fast.state != slow.state || fast.depth != slow.depth || fast.state == xsTag && fast.slash != slow.slash {
				t.Fatalf("line %q: fast %d (state %d depth %d slash %v), bytewise %d (state %d depth %d slash %v)",
					line, a, fast.state, fast.depth, fast.slash, b, slow.state, slow.depth, slow.slash)
			}
			if a >= 0 {
				return
			}
		}
	})
}

// FuzzLogTimes: a time taken from the one before it (same text but for the
// fraction of a second) is the time parsing it gives.
func FuzzLogTimes(f *testing.F) {
	for _, s := range [][2]string{
		{"Sun Mar 01 09:00:00.009 PST 2026", "Sun Mar 01 09:00:00.036 PST 2026"},
		{"Sun Mar 01 09:00:00.999 PST 2026", "Sun Mar 01 09:00:00.000 PST 2026"},
		{"2026-03-01 09:30:00,123", "2026-03-01 09:30:00,987"},
		{"2026-03-01T09:30:00.5-08:00", "2026-03-01T09:30:00.7-08:00"},
		{"2026-03-01-09.30.00.123456", "2026-03-01-09.30.01.123456"},
		{"Mar 1, 2026 9:30:00,123 AM PST", "Mar 1, 2026 9:30:00,124 AM PST"},
		{"Sun Mar 01 09:00:00.0090000001 PST 2026", "Sun Mar 01 09:00:00.0090000002 PST 2026"},
	} {
		f.Add(s[0], s[1])
	}
	f.Add("Sun Mar 08 01:59:59.999 PST 2026", "Sun Mar 08 01:59:59.001 PST 2026")
	f.Add("Sun Nov 01 01:30:00.5 PDT 2026", "Sun Nov 01 01:30:00.6 PDT 2026")
	locs := []*time.Location{time.FixedZone("XST", -3*3600), time.UTC}
	if la, err := time.LoadLocation("America/Los_Angeles"); err == nil {
		// A zone whose abbreviations the log's times use, with DST.
		locs = append(locs, la)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, loc := range locs {
			var c logTimes
			c.parse(a, loc)
			got, gok := c.parse(b, loc)
			hint := 0
			parseLogTimeHint(a, &hint, loc)
			want, wok := parseLogTimeHint(b, &hint, loc)
			const layout = "2006-01-02T15:04:05.999999999 MST -0700"
			if gok != wok || gok && (!got.Equal(want) || got.Format(layout) != want.Format(layout) || got.Location().String() != want.Location().String()) {
				t.Fatalf("in %v, after %q, %q: %v %v, parsing gives %v %v", loc, a, b, got.Format(layout), gok, want.Format(layout), wok)
			}
		}
	})
}

// TestUnescapeHTMLInPlaceEveryPlace puts entities at every offset of texts
// long enough for the 32- and 64-byte copies, as dense as escaped XML and
// sparse, with a shrinking entity (&nGt;) and a bare '&' among them; with
// AVX-512, once with its 64-byte blocks and once without.
func TestUnescapeHTMLInPlaceEveryPlace(t *testing.T) {
	eachUnescapeWidth(t, func(t *testing.T) {
		for _, ent := range []string{"&lt;", "&#34;", "&amp;", "&", "&nGt;", "&eacute;", "&#x1F600;", "&gt"} {
			for _, gap := range []string{"", "a", strings.Repeat("b", 7), strings.Repeat("c", 31), strings.Repeat("d", 33), strings.Repeat("e", 65)} {
				for off := range 140 {
					s := strings.Repeat("Q", off) + ent + gap + "&gt;" + gap + ent + strings.Repeat("R", 140-off)
					for _, b := range []string{s, strings.Repeat("&lt;x&gt;", 9) + s, strings.Repeat("&#34;&amp;", 7) + s + strings.Repeat("&lt;", 20)} {
						want := unescapeHTML([]byte(b))
						if got := unescapeHTMLInPlace([]byte(b)); !bytes.Equal(got, want) {
							t.Fatalf("%q:\nin place %q\nwant     %q", b, got, want)
						}
						if got := unescapeBackward([]byte(b)); !bytes.Equal(got, want) {
							t.Fatalf("%q:\nbackward %q\nwant     %q", b, got, want)
						}
						if got := unescapeForward([]byte(b)); !bytes.Equal(got, want) {
							t.Fatalf("%q:\nforward  %q\nwant     %q", b, got, want)
						}
					}
				}
			}
		}
	})
}

// eachUnescapeWidth runs f with copyToAmp's widest blocks and, where
// those are AVX-512's, again with AVX2's alone.
func eachUnescapeWidth(t *testing.T, f func(t *testing.T)) {
	wide := simd512
	t.Cleanup(func() { simd512 = wide })
	t.Run("widest", f)
	if wide {
		simd512 = false
		t.Run("avx2", f)
		simd512 = true
	}
}

// naiveMarkup is indexMarkup one position at a time.
func naiveMarkup(b, lt []byte, r0 byte) int {
	for i := range b {
		if isMarkupAt(b, i, lt, r0) {
			return i
		}
	}
	return -1
}

// TestIndexMarkupEveryPlace puts each kind of markup, and near misses
// (another element, a cut "&lt", a '/' before another name, a pattern cut
// by the end), at every offset of texts long enough for the 32-byte
// blocks, the block after them and the tail, escaped and raw.
func TestIndexMarkupEveryPlace(t *testing.T) {
	for _, lt := range []string{"&lt;", "<"} {
		var marks []string
		for _, m := range []string{"!--", "![CDATA[", "?x", "R", "/R", "Q", "/Q", "/", "!", "?"} {
			marks = append(marks, lt+m)
		}
		marks = append(marks, "&lt", "&l;", "&gt;R", "<<", "&lt;&lt;R")
		for _, mark := range marks {
			for _, n := range []int{0, 1, 3, 30, 31, 32, 33, 36, 37, 64, 70} {
				for off := range n + 1 {
					s := strings.Repeat("a", off) + mark + strings.Repeat("b", n-off)
					for _, b := range []string{s, strings.Repeat(lt+"x/"+lt+"/y", 5) + s, s[:len(s)-1]} {
						for _, r0 := range []byte{'R', '!'} {
							want := naiveMarkup([]byte(b), []byte(lt), r0)
							if got := indexMarkup([]byte(b), []byte(lt), r0); got != want {
								t.Fatalf("%q, root %q: indexMarkup %d, want %d", b, r0, got, want)
							}
							if got := indexMarkupPortable([]byte(b), []byte(lt), r0); got != want {
								t.Fatalf("%q, root %q: indexMarkupPortable %d, want %d", b, r0, got, want)
							}
						}
					}
				}
			}
		}
	}
}

// FuzzIndexMarkup checks both searches against one position at a time, at
// every offset (the AVX2 loads are unaligned).
func FuzzIndexMarkup(f *testing.F) {
	f.Add("&lt;a&gt;&lt;/a&gt;&lt;Root&gt;&lt;![CDATA[x]]&gt;&lt;/Root&gt;", byte('R'), true)
	f.Add("<a><b/></a><?pi?><!--c--></R>", byte('R'), false)
	f.Fuzz(func(t *testing.T, s string, r0 byte, esc bool) {
		lt := []byte("<")
		if esc {
			lt = []byte("&lt;")
		}
		for off := range min(len(s), 40) {
			b := []byte(s[off:])
			want := naiveMarkup(b, lt, r0)
			if got := indexMarkup(b, lt, r0); got != want {
				t.Fatalf("%q, root %q: indexMarkup %d, want %d", b, r0, got, want)
			}
			if got := indexMarkupPortable(b, lt, r0); got != want {
				t.Fatalf("%q, root %q: indexMarkupPortable %d, want %d", b, r0, got, want)
			}
		}
	})
}

// FuzzIsBlank: isBlank is len(bytes.TrimSpace(b)) == 0.
func FuzzIsBlank(f *testing.F) {
	for _, s := range []string{"", " \t\r\n\v\f", "x", " \u00a0", "\u2028 x", "\u0085", "\xc2", " \xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := isBlank(b), len(bytes.TrimSpace(b)) == 0; got != want {
			t.Fatalf("isBlank(%q) = %v, want %v", b, got, want)
		}
	})
}
