// Command bench-decode-gen writes a large msgLog.html for the decode
// benchmark (scripts/bench-decode.sh): the emulator's gateway log format,
// written through pkg/emulator's own logger, with traffic shaped like a
// busy gateway at ig.log.level 5 — sync exchanges (the HTTP request and
// response, the internal MIME request and response around the application
// server) and async publishes whose content sections are gzip-compressed
// and base64-encoded, as PeopleSoft sends async traffic to the gateway.
//
//	go run ./scripts/bench-decode-gen -size 100 -out /tmp/msgLog-100M.html
//
// About 30% of the file's bytes are base64+gzip sections (the figure is
// printed at the end). The output is deterministic for a given -seed.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/psib-dev/psib/pkg/emulator"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"github.com/psib-dev/psib/pkg/secret"
)

func main() {
	size := flag.Int("size", 100, "target size in MB (10^6 bytes)")
	out := flag.String("out", "msgLog.html", "output file (its directory gets the log; an existing file is replaced)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if err := run(*size, *out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "bench-decode-gen:", err)
		os.Exit(1)
	}
}

func run(sizeMB int, out string, seed uint64) error {
	dir, err := os.MkdirTemp(filepath.Dir(out), ".gen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	t := time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("PST", -8*3600))
	clock := func() time.Time { t = t.Add(3 * time.Millisecond); return t }
	glog, err := emulator.OpenGatewayLog(emulator.GatewayLogOptions{Dir: dir, Level: emulator.LogLow, MaxBytes: 1 << 40, Clock: clock})
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5bd1e995))
	g := &gen{rng: rng, log: glog, clock: clock}
	target := int64(sizeMB) * 1_000_000
	msgLog := filepath.Join(dir, "msgLog.html")
	for i := 0; ; i++ {
		if i%64 == 0 {
			fi, err := os.Stat(msgLog)
			if err != nil {
				return err
			}
			if fi.Size() >= target {
				break
			}
		}
		if rng.IntN(100) < 45 {
			err = g.async()
		} else {
			err = g.sync()
		}
		if err != nil {
			return err
		}
	}
	if err := glog.Close(); err != nil {
		return err
	}
	if err := os.Rename(msgLog, out); err != nil {
		return err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Printf("%s: %d bytes, %d messages, %.1f%% of the bytes in base64+gzip sections\n", out, fi.Size(), g.messages, 100*float64(g.compressed)/float64(fi.Size()))
	return nil
}

type gen struct {
	rng        *rand.Rand
	log        *emulator.GatewayLog
	clock      func() time.Time
	seq        int
	compressed int64 // bytes of base64+gzip section content
	messages   int
}

var (
	ops       = []string{"CHG_SYNC_TEST.v1", "PERSON_BASIC_SYNC.v2", "SCC_CONSTITUENT_GET.v1", "LOCATION_SYNC.v1", "USER_PROFILE.v1"}
	asyncOps  = []string{"PERSON_BASIC_FULLSYNC.v1", "CHG_ASYNC_UTEST.v1", "SCC_CONSTITUENT_FULLSYNC.v1"}
	nodes     = []string{"PTEST", "PSFT_CS", "CRM_EXT", "LMS_NODE"}
	lastNames = []string{"Müller", "Smith", "García", "Nguyen", "O'Brien", "Kowalski", "Johansson", "Rossi", "Dubois", "Tanaka"}
	cities    = []string{"Santa Cruz", "Zürich", "Lyon", "Osaka", "Kraków", "Austin", "Bergen", "Cork"}
)

// rowset is a rowset-based payload of n transactions with varied values.
func (g *gen) rowset(root string, n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><` + root + `><FieldTypes><PERSON class="R"><EMPLID type="CHAR"/><NAME type="CHAR"/><BIRTHDATE type="DATE"/><CITY type="CHAR"/><SALARY type="NUMBER"/></PERSON><PSCAMA class="R"><AUDIT_ACTN type="CHAR"/></PSCAMA></FieldTypes><MsgData>`)
	for range n {
		r := g.rng
		fmt.Fprintf(&b, `<Transaction><PERSON class="R"><EMPLID>K%07d</EMPLID><NAME>%s,%c%s</NAME><BIRTHDATE>19%02d-%02d-%02d</BIRTHDATE><CITY>%s</CITY><SALARY>%d.%02d</SALARY></PERSON><PSCAMA class="R"><AUDIT_ACTN>%c</AUDIT_ACTN></PSCAMA></Transaction>`,
			r.IntN(10_000_000), lastNames[r.IntN(len(lastNames))], 'A'+rune(r.IntN(26)), strings.Repeat("x", r.IntN(6)),
			50+r.IntN(50), 1+r.IntN(12), 1+r.IntN(28), cities[r.IntN(len(cities))], 20000+r.IntN(180000), r.IntN(100), "ACD"[r.IntN(3)])
	}
	b.WriteString(`</MsgData></` + root + `>`)
	return []byte(b.String())
}

func (g *gen) message(info *ibmsg.IBInfo, body []byte, enc ibmsg.ContentEncoding) ([]byte, int, error) {
	g.seq++
	m := ibmsg.NewMessage(info, ibmsg.MessageOptions{Now: g.clock(), Seq: g.seq, ToolsRelease: "8.58"})
	n := 0
	if body != nil {
		s := m.AddSection(body, enc)
		if !enc.IsPlain() {
			c, err := ibmsg.EncodeContent(body, enc)
			if err != nil {
				return nil, 0, err
			}
			n = len(c)
		}
		_ = s
	}
	b, err := m.Bytes()
	return b, n, err
}

func (g *gen) logMsg(level int, desc string, content []byte) error {
	g.messages++
	return g.log.Message(level, desc, content)
}

func (g *gen) httpIn(op, from string, body []byte) error {
	var b strings.Builder
	fmt.Fprintf(&b, "POST /PSIGW/HttpListeningConnector HTTP/1.1\r\nHost: ib.example.edu:8000\r\nOperationName: %s\r\nFrom: %s\r\nTo: HRMS\r\nPassword: s3cr3t\r\nContent-Type: text/xml\r\nContent-Length: %d\r\n\r\n", op, from, len(body))
	b.Write(body)
	return g.logMsg(emulator.LogLow, "HttpListeningConnector: HTTP request received", []byte(b.String()))
}

func (g *gen) sync() error {
	op, from := ops[g.rng.IntN(len(ops))], nodes[g.rng.IntN(len(nodes))]
	req := g.rowset("REQUEST", 1+g.rng.IntN(3))
	if err := g.httpIn(op, from, req); err != nil {
		return err
	}
	info := &ibmsg.IBInfo{MessageName: ibmsg.CData(op), MessageType: "sync", ExternalOperationName: ibmsg.CData(op),
		From: &ibmsg.From{RequestingNode: ibmsg.CData(from), Password: ibmsg.NodePassword{Secret: secret.New("s3cr3t")}, OrigTimeStamp: ibmsg.Text(ibmsg.FormatOrigTimestamp(g.clock()))},
		To:   &ibmsg.To{DestinationNode: "HRMS"}, PathInfo: "/PSIGW/HttpListeningConnector"}
	mreq, _, err := g.message(info, req, ibmsg.ContentEncoding{})
	if err != nil {
		return err
	}
	if err := g.logMsg(emulator.LogStandard, "PeopleSoftTargetConnector: request to the application server ("+op+")", mreq); err != nil {
		return err
	}
	resp := g.rowset("RESPONSE", 1+g.rng.IntN(8))
	st := ibmsg.Success()
	failed := g.rng.IntN(20) == 0
	if failed {
		st = ibmsg.Status{StatusCode: 20, MsgSet: 158, MsgID: 45, Parameters: ibmsg.Params{from}, DefaultTitle: "Integration Broker Response"}
		resp = nil
	}
	mresp, _, err := g.message(&ibmsg.IBInfo{Status: &st}, resp, ibmsg.ContentEncoding{})
	if err != nil {
		return err
	}
	if err := g.logMsg(emulator.LogStandard, "PeopleSoftTargetConnector: response from the application server ("+op+")", mresp); err != nil {
		return err
	}
	body := resp
	if failed {
		body = ibmsg.NewErrorResponse(st).Marshal()
	}
	out := "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=UTF-8\r\n\r\n" + string(body)
	return g.logMsg(emulator.LogStandard, "HttpListeningConnector: response sent", []byte(out))
}

func (g *gen) async() error {
	op, from := asyncOps[g.rng.IntN(len(asyncOps))], nodes[g.rng.IntN(len(nodes))]
	payload := g.rowset(strings.TrimSuffix(op, ".v1"), 80+g.rng.IntN(240))
	txid := fmt.Sprintf("%08x-%04x-11e7-b7eb-%012x", g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.Uint64()&0xffffffffffff)
	info := &ibmsg.IBInfo{MessageName: ibmsg.CData(op), MessageType: "async", TransactionID: ibmsg.CData(txid), ExternalOperationName: ibmsg.CData(op),
		From: &ibmsg.From{RequestingNode: ibmsg.CData(from), OrigTimeStamp: ibmsg.Text(ibmsg.FormatOrigTimestamp(g.clock()))},
		To:   &ibmsg.To{DestinationNode: "HRMS"}}
	mreq, n, err := g.message(info, payload, ibmsg.ContentEncoding{Base64: true, Compression: ibmsg.CompressionGzip})
	if err != nil {
		return err
	}
	g.compressed += int64(n)
	if err := g.logMsg(emulator.LogStandard, "PeopleSoftListeningConnector: request received ("+op+")", mreq); err != nil {
		return err
	}
	st := ibmsg.Success()
	mresp, _, err := g.message(&ibmsg.IBInfo{Status: &st, TransactionID: ibmsg.CData(txid)}, nil, ibmsg.ContentEncoding{})
	if err != nil {
		return err
	}
	return g.logMsg(emulator.LogStandard, "PeopleSoftListeningConnector: response sent ("+op+")", mresp)
}
