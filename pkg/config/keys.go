package config

import (
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// kind is how a key's text is read and checked.
type kind int

const (
	kindString   kind = iota
	kindPath          // a file name; relative in a profile means relative to the profile's directory
	kindSecret        // never a flag; never printed
	kindDuration      // "30s", "2m": a number with a unit
	kindBool          // true or false
)

// expect says, for an error message, what a value of this kind looks like.
func (k kind) expect() string {
	switch k {
	case kindDuration:
		return "a duration such as 30s or 2m"
	case kindBool:
		return "true or false"
	case kindPath:
		return "a file name"
	}
	return "a string"
}

// keyDef is one setting: its profile key, flag and environment variable, and
// where it lives in Config.
type keyDef struct {
	name  string // profile key, e.g. "gateway.url"; also the viper key
	flag  string // flag name without dashes; "" when there is no flag
	env   string // environment variable; "" when there is none
	kind  kind
	def   any // default: string, time.Duration or bool; nil means empty
	usage string
	// field returns a pointer to the Config field that holds the value:
	// *string, *time.Duration, *bool or *secret.Secret.
	field func(*Config) any
}

// Flag and environment names that are not keys of the table.
const (
	profileFlag = "profile"
	profileEnv  = "PSIB_PROFILE"
)

// Keys whose values are resolved together (see Load).
const (
	keyURL          = "gateway.url"
	keyPassword     = "gateway.node_password"
	keyPasswordFile = "gateway.node_password_file"
	keyTimeout      = "gateway.timeout"
	keyCert         = "tls.cert"
	keyKey          = "tls.key"
)

// defaultTimeout is the whole-request timeout when nothing else is given.
const defaultTimeout = 60 * time.Second

// keys returns the table of settings, in the order they are listed. It is a
// function, not a variable, so that nothing can change the table.
func keys() []keyDef {
	return []keyDef{
		{name: keyURL, flag: "gateway-url", env: "PSIB_GATEWAY_URL", kind: kindString,
			usage: "gateway base `URL` up to and including /PSIGW, e.g. https://ib.example.edu:8443/PSIGW",
			field: func(c *Config) any { return &c.Gateway.URL }},
		{name: "gateway.from", flag: "from", env: "PSIB_FROM", kind: kindString,
			usage: "the requesting (external) `NODE`",
			field: func(c *Config) any { return &c.Gateway.From }},
		{name: "gateway.to", flag: "to", env: "PSIB_TO", kind: kindString,
			usage: "the destination `NODE`",
			field: func(c *Config) any { return &c.Gateway.To }},
		{name: keyPassword, env: "PSIB_NODE_PASSWORD", kind: kindSecret,
			field: func(c *Config) any { return &c.Gateway.NodePassword }},
		{name: keyPasswordFile, flag: "node-password-file", kind: kindPath,
			usage: "read the node password from `FILE` (never give it as a flag value)",
			field: func(c *Config) any { return &c.Gateway.NodePasswordFile }},
		{name: keyTimeout, flag: "timeout", env: "PSIB_TIMEOUT", kind: kindDuration, def: defaultTimeout,
			usage: "whole-request timeout, a `DURATION` such as 30s or 2m",
			field: func(c *Config) any { return &c.Gateway.Timeout }},
		{name: "tls.ca_file", flag: "ca-file", kind: kindPath,
			usage: "PEM `FILE` of the CA certificates to trust for the gateway",
			field: func(c *Config) any { return &c.TLS.CAFile }},
		{name: keyCert, flag: "cert", kind: kindPath,
			usage: "PEM client certificate `FILE` (with --key)",
			field: func(c *Config) any { return &c.TLS.Cert }},
		{name: keyKey, flag: "key", kind: kindPath,
			usage: "PEM client private key `FILE` (with --cert)",
			field: func(c *Config) any { return &c.TLS.Key }},
		{name: "tls.insecure", flag: "insecure", kind: kindBool, def: false,
			usage: "skip TLS certificate verification (testing only)",
			field: func(c *Config) any { return &c.TLS.Insecure }},
	}
}

// keyIndex maps each key's name to its definition.
func keyIndex() map[string]keyDef {
	m := make(map[string]keyDef)
	for _, k := range keys() {
		m[k.name] = k
	}
	return m
}

// keyNames lists the keys in table order.
func keyNames() []string {
	var names []string
	for _, k := range keys() {
		names = append(names, k.name)
	}
	return names
}

// sections returns the top-level profile sections ("gateway", "tls").
func sections() map[string]bool {
	m := make(map[string]bool)
	for _, k := range keys() {
		sec, _, _ := strings.Cut(k.name, ".")
		m[sec] = true
	}
	return m
}

// AddFlags defines the connection flags on fs: --profile, --gateway-url,
// --from, --to, --node-password-file, --timeout, --ca-file, --cert, --key
// and --insecure. Load reads them back from the same flag set.
func AddFlags(fs *pflag.FlagSet) {
	fs.String(profileFlag, "", "connection profile `NAME`: ./profiles/NAME.yaml, then $XDG_CONFIG_HOME/psib/profiles/NAME.yaml (env "+profileEnv+")")
	for _, k := range keys() {
		if k.flag == "" {
			continue
		}
		usage := k.usage
		if k.env != "" {
			usage += " (env " + k.env + ")"
		}
		switch def := k.def.(type) {
		case time.Duration:
			fs.Duration(k.flag, def, usage)
		case bool:
			fs.Bool(k.flag, def, usage)
		default:
			fs.String(k.flag, "", usage)
		}
	}
}

// suggest returns the known key closest to name, or "" when none is close.
func suggest(name string, known []string) string {
	best, bestD := "", 3 // at most two edits away
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k
		}
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
