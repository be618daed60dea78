package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/psib-dev/psib/pkg/config"
	"github.com/psib-dev/psib/pkg/gateway"
	"github.com/psib-dev/psib/pkg/ibmsg"
)

// gatewayClient builds the gateway client from the configuration, with the
// verbose wire dump (to stderr) when -v was given.
func (f *factory) gatewayClient(verbose int, showSecrets bool) (*gateway.Client, *config.Config, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, nil, err
	}
	if cfg.Gateway.URL == "" {
		return nil, nil, usageErrorf("no gateway URL: give --gateway-url URL, set PSIB_GATEWAY_URL, or use a profile (psib profiles list); e.g. http://127.0.0.1:8000/PSIGW for `psib gateway serve --listen 127.0.0.1:8000`")
	}
	o := gateway.Options{
		BaseURL:     cfg.Gateway.URL,
		Timeout:     cfg.Gateway.Timeout,
		TLS:         gateway.TLSOptions{CAFile: cfg.TLS.CAFile, CertFile: cfg.TLS.Cert, KeyFile: cfg.TLS.Key, Insecure: cfg.TLS.Insecure},
		ShowSecrets: showSecrets,
		UserAgent:   "psib/" + version,
		Now:         f.Now,
	}
	if verbose > 0 {
		p := f.IO.ErrPalette()
		var mu sync.Mutex // concurrent sends (publish) must not interleave dumps
		o.Wire = func(ev gateway.WireEvent) {
			mu.Lock()
			defer mu.Unlock()
			arrow := "> "
			c := p.Cyan
			if ev.Kind == "response" {
				arrow, c = "< ", p.Magenta
			}
			text := strings.TrimRight(string(ev.Dump), "\r\n")
			for _, line := range strings.Split(text, "\n") {
				fmt.Fprintln(f.IO.ErrOut, c.Sprint(arrow)+strings.TrimRight(line, "\r"))
			}
			fmt.Fprintln(f.IO.ErrOut)
		}
	}
	c, err := gateway.New(o)
	if err != nil {
		var ce *gateway.ConfigError
		if errors.As(err, &ce) {
			return nil, nil, &inputError{err}
		}
		return nil, nil, err
	}
	return c, cfg, nil
}

// readPassword reads a secret from a file (never from a flag value).
func readPasswordFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &inputError{fmt.Errorf("cannot read password file: %w", err)}
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// explainedError is an error followed by the message catalog's
// explanation, printed as indented lines after "psib: what: why".
type explainedError struct {
	err         error
	explanation string
}

func (e *explainedError) Error() string { return e.err.Error() + "\n" + e.explanation }
func (e *explainedError) Unwrap() error { return e.err }

// withExplanation adds the catalog's meaning, likely cause and action for a
// failed status to err (unchanged when psib does not know the status).
func withExplanation(err error, st *ibmsg.Status) error {
	e, ok := st.Explain()
	if !ok || st.OK() {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  meaning:      %s\n", e.Meaning)
	if e.Cause != "" {
		fmt.Fprintf(&b, "  likely cause: %s\n", e.Cause)
	}
	fmt.Fprintf(&b, "  what to do:   %s", e.Action)
	return &explainedError{err: err, explanation: b.String()}
}
