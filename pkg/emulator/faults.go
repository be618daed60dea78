package emulator

import (
	"io"
	"net/http"

	"fmt"
	"github.com/psib-dev/psib/pkg/ibmsg"
	"strconv"
	"strings"
	"time"
)

// FaultHeader is the request header that asks the emulator for faults,
// e.g. "X-Psib-Fault: latency=200ms; status=503; rate=0.1".
const FaultHeader = "X-Psib-Fault"

// Fault is one injected failure, from the configuration or FaultHeader.
// Kinds:
//   - latency: wait Latency before answering;
//   - status: answer HTTP Status (500 by default) with the web server's
//     HTML error page, without processing the request;
//   - reset-before: close the connection (TCP reset) without processing;
//   - reset-after: process the request (an async message is accepted), then
//     reset the connection instead of answering;
//   - contact-error: answer the 158/10721 External System Contact Error.
type Fault struct {
	// Operation limits the fault to one operation; empty means all.
	Operation string        `yaml:"operation"`
	Kind      string        `yaml:"kind"`
	Latency   time.Duration `yaml:"latency"`
	Status    int           `yaml:"status"`
	// Rate is the probability that the fault applies to a request (0 or
	// 1 mean always); draws come from the emulator's seeded generator.
	Rate float64 `yaml:"rate"`
}

func (f Fault) parsed() (Fault, error) {
	switch f.Kind {
	case "latency":
		if f.Latency <= 0 {
			return f, fmt.Errorf("fault latency needs latency: (e.g. 200ms)")
		}
	case "status":
		if f.Status == 0 {
			f.Status = 500
		}
		if f.Status < 400 || f.Status > 599 {
			return f, fmt.Errorf("fault status %d: use an HTTP error status (400-599)", f.Status)
		}
	case "reset-before", "reset-after", "contact-error":
	default:
		return f, fmt.Errorf("fault kind %q: use latency, status, reset-before, reset-after or contact-error", f.Kind)
	}
	if f.Rate < 0 || f.Rate > 1 {
		return f, fmt.Errorf("fault rate %v: use a probability from 0 to 1", f.Rate)
	}
	return f, nil
}

// ParseFaultHeader reads FaultHeader's value: clauses separated by ";",
// each "latency=D", "status=N", "reset=before|after", "contact-error" or
// "rate=P" (rate applies to the whole header).
func ParseFaultHeader(v string) ([]Fault, error) {
	var faults []Fault
	rate := 0.0
	for _, clause := range strings.Split(v, ";") {
		clause = strings.TrimSpace(clause)
		if clause == "" {
			continue
		}
		key, val, _ := strings.Cut(clause, "=")
		key, val = strings.TrimSpace(strings.ToLower(key)), strings.TrimSpace(val)
		var f Fault
		switch key {
		case "latency":
			d, err := time.ParseDuration(val)
			if err != nil {
				return nil, fmt.Errorf("%s: latency %q: %v", FaultHeader, val, err)
			}
			f = Fault{Kind: "latency", Latency: d}
		case "status":
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, fmt.Errorf("%s: status %q is not a number", FaultHeader, val)
			}
			f = Fault{Kind: "status", Status: n}
		case "reset":
			if val != "before" && val != "after" {
				return nil, fmt.Errorf("%s: reset=%q: use before or after", FaultHeader, val)
			}
			f = Fault{Kind: "reset-" + val}
		case "contact-error":
			f = Fault{Kind: "contact-error"}
		case "rate":
			r, err := strconv.ParseFloat(val, 64)
			if err != nil || r < 0 || r > 1 {
				return nil, fmt.Errorf("%s: rate %q: use a probability from 0 to 1", FaultHeader, val)
			}
			rate = r
			continue
		default:
			return nil, fmt.Errorf("%s: unknown clause %q (use latency=, status=, reset=, contact-error, rate=)", FaultHeader, clause)
		}
		pf, err := f.parsed()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", FaultHeader, err)
		}
		faults = append(faults, pf)
	}
	for i := range faults {
		faults[i].Rate = rate
	}
	return faults, nil
}

// faultPlan is what to do to one request.
type faultPlan struct {
	latency      time.Duration
	status       int
	resetBefore  bool
	resetAfter   bool
	contactError bool
}

// plan decides the faults for a request to operation op. Each fault with a
// rate draws once from the seeded generator, in order.
func (s *Server) plan(op string, header []Fault) faultPlan {
	var p faultPlan
	apply := func(f Fault) {
		if f.Operation != "" && f.Operation != op {
			return
		}
		if f.Rate > 0 && f.Rate < 1 && !s.draw(f.Rate) {
			return
		}
		switch f.Kind {
		case "latency":
			p.latency += f.Latency
		case "status":
			p.status = f.Status
		case "reset-before":
			p.resetBefore = true
		case "reset-after":
			p.resetAfter = true
		case "contact-error":
			p.contactError = true
		}
	}
	for _, f := range s.cfg.Faults {
		apply(f)
	}
	for _, f := range header {
		apply(f)
	}
	return p
}

func (s *Server) draw(rate float64) bool {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64() < rate
}

// errorPage is the web server's page for an HTTP error, as WebLogic
// writes them (the gateway runs inside the PIA web server).
func errorPage(status int, text string) string {
	return fmt.Sprintf(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Draft//EN">
<HTML>
<HEAD>
<TITLE>Error %d--%s</TITLE>
</HEAD>
<BODY bgcolor="white">
<FONT FACE=Helvetica><BR CLEAR=all>
<TABLE border=0 cellspacing=5><TR><TD><BR CLEAR=all>
<FONT FACE="Helvetica" COLOR="black" SIZE="3"><H2>Error %d--%s</H2>
</FONT></TD></TR>
</TABLE>
</FONT>
</BODY>
</HTML>
`, status, text, status, text)
}

// failBefore applies the faults that act before a request is processed:
// latency, an HTTP error page, a reset, or the contact error (answered in
// the connector's own form by contact). It reports whether the request
// was answered (or dropped) and must not be processed.
func (s *Server) failBefore(w http.ResponseWriter, r *http.Request, p faultPlan, contact func(ibmsg.Status)) bool {
	sleep(r.Context(), p.latency)
	switch {
	case p.resetBefore:
		reset(w)
	case p.status != 0:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(p.status)
		io.WriteString(w, errorPage(p.status, http.StatusText(p.status)))
	case p.contactError:
		contact(statusContactError("503"))
	default:
		return false
	}
	return true
}
