package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/psib-dev/psib/pkg/secret"
)

// Env is what Load reads besides flags.
type Env struct {
	// LookupEnv reads an environment variable: os.LookupEnv in production,
	// a map in tests. Nil means an empty environment.
	LookupEnv func(string) (string, bool)
	// WorkDir is the directory whose profiles/ subdirectory holds project
	// profiles; "" means the current directory.
	WorkDir string
}

// lookup is LookupEnv, safe when LookupEnv is nil.
func (e Env) lookup(name string) (string, bool) {
	if e.LookupEnv == nil {
		return "", false
	}
	return e.LookupEnv(name)
}

// get returns a variable that is set and not empty.
func (e Env) get(name string) (string, bool) {
	v, ok := e.lookup(name)
	return v, ok && v != ""
}

// Config is the effective connection configuration. Load returns a new one
// each time; nothing else holds on to it.
type Config struct {
	// ProfileName is the profile that was read; "" when there is none.
	ProfileName string
	// ProfilePath is the profile file as found: profiles/NAME.yaml (relative
	// to Env.WorkDir) for a project profile, an absolute path for a user
	// profile; "" when there is no profile.
	ProfilePath string
	// Gateway is where requests go and as whom.
	Gateway Gateway
	// TLS are the transport security settings.
	TLS TLS
	// Warnings are problems that do not stop psib, such as a profile holding
	// a password that other users can read. The command prints them on
	// stderr. They never contain a secret.
	Warnings []string

	// origins records where each key's value came from.
	origins map[string]Origin
}

// Gateway is the PeopleSoft Integration Gateway to talk to and the node
// identity to use.
type Gateway struct {
	// URL is the gateway's base URL up to and including /PSIGW, without a
	// trailing slash, e.g. https://ib.example.edu:8443/PSIGW.
	URL string
	// From is the requesting (external) node; To is the destination node.
	From, To string
	// NodePassword is the From node's password.
	NodePassword secret.Secret
	// NodePasswordFile is the file NodePassword was read from, if it was.
	NodePasswordFile string
	// Timeout bounds a whole request.
	Timeout time.Duration
}

// TLS are the settings for https gateways.
type TLS struct {
	// CAFile is a PEM file of CA certificates to trust instead of the
	// system's.
	CAFile string
	// Cert and Key are the PEM client certificate and its private key; both
	// or neither.
	Cert, Key string
	// Insecure skips certificate verification.
	Insecure bool
}

// Origin says which layer a setting's value came from.
type Origin string

// The layers, from lowest to highest precedence.
const (
	OriginDefault Origin = "default"
	OriginProfile Origin = "profile"
	OriginEnv     Origin = "env"
	OriginFlag    Origin = "flag"
)

// rank orders origins by precedence: a higher rank wins.
func (o Origin) rank() int {
	switch o {
	case OriginProfile:
		return 1
	case OriginEnv:
		return 2
	case OriginFlag:
		return 3
	}
	return 0
}

// Setting is one effective setting, for display.
type Setting struct {
	// Key is the profile key, e.g. "gateway.url".
	Key string `json:"key"`
	// Value is the value as text; secrets are "REDACTED", and an unset
	// value is "".
	Value string `json:"value"`
	// Origin is the layer the value came from.
	Origin Origin `json:"origin"`
}

// Settings lists every key with its effective value and origin, in the
// order of the key table. Secrets show as "REDACTED".
func (c *Config) Settings() []Setting {
	var out []Setting
	for _, k := range keys() {
		o := c.origins[k.name]
		if o == "" {
			o = OriginDefault
		}
		var s string
		switch p := k.field(c).(type) {
		case *string:
			s = *p
		case *secret.Secret:
			s = p.String()
		case *time.Duration:
			s = p.String()
		case *bool:
			s = strconv.FormatBool(*p)
		}
		out = append(out, Setting{Key: k.name, Value: s, Origin: o})
	}
	return out
}

// Error is a configuration error: a bad profile, flag value or environment
// variable. The command maps it to exit code 2. It never contains a secret.
type Error struct {
	// File is the profile file, as in Config.ProfilePath; "" when the error
	// is not about a file.
	File string
	// Line is the 1-based line in File; 0 when unknown.
	Line int
	// Key is the setting concerned, e.g. "gateway.timeout", if any.
	Key string
	// Msg says what is wrong and, where possible, how to fix it.
	Msg string
}

// Error returns "file:line: msg", or "config: msg" when there is no file.
func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	case e.File != "":
		return e.File + ": " + e.Msg
	}
	return "config: " + e.Msg
}

// source is where one value came from, for origins and error messages.
type source struct {
	origin Origin
	name   string // the flag ("--timeout") or environment variable
	file   string // the profile, as displayed
	line   int
}

// errorf reports a problem with the value of key that came from s.
func (s source) errorf(key, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	switch s.origin {
	case OriginProfile:
		return &Error{File: s.file, Line: s.line, Key: key, Msg: key + ": " + msg}
	case OriginEnv, OriginFlag:
		return &Error{Key: key, Msg: s.name + ": " + msg}
	}
	return &Error{Key: key, Msg: key + ": " + msg}
}

// value is one key's typed value in one layer: a string, time.Duration or
// bool.
type value struct {
	v   any
	src source
}

// layer holds the values one source gives, by key.
type layer map[string]value

// nest turns a layer into the nested map a YAML file would give.
func (l layer) nest() map[string]any {
	m := make(map[string]any)
	for name, val := range l {
		sec, k, _ := strings.Cut(name, ".")
		sub, ok := m[sec].(map[string]any)
		if !ok {
			sub = make(map[string]any)
			m[sec] = sub
		}
		sub[k] = val.v
	}
	return m
}

// Load returns the effective configuration: each key from the flags in fs
// that were given, else from the environment, else from the profile chosen
// with --profile or PSIB_PROFILE, else its default. fs must hold the flags of
// AddFlags (nil means no flags). Every problem is an *Error.
func Load(fs *pflag.FlagSet, env Env) (*Config, error) {
	cfg := &Config{origins: make(map[string]Origin)}

	var profile layer
	ref, err := chooseProfile(fs, env)
	if err != nil {
		return nil, err
	}
	if ref != nil {
		var warnings []string
		profile, warnings, err = loadProfile(*ref)
		if err != nil {
			return nil, err
		}
		cfg.ProfileName, cfg.ProfilePath = ref.name, ref.display
		cfg.Warnings = append(cfg.Warnings, warnings...)
	}
	environ, err := envLayer(env)
	if err != nil {
		return nil, err
	}
	flags := flagLayer(fs)

	// One viper per Load, never the global one. Viper's own environment
	// layer reads the process environment directly, which would bypass
	// Env.LookupEnv; so the environment's values (already read and checked
	// above) are merged over the profile's instead, and flags are bound as
	// usual: flag > env > profile > default.
	v := viper.New()
	for _, k := range keys() {
		if k.def != nil {
			v.SetDefault(k.name, k.def)
		}
	}
	if err := v.MergeConfigMap(profile.nest()); err != nil {
		return nil, &Error{File: cfg.ProfilePath, Msg: err.Error()}
	}
	if err := v.MergeConfigMap(environ.nest()); err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	if fs != nil {
		for _, k := range keys() {
			if f := fs.Lookup(k.flag); k.flag != "" && f != nil {
				if err := v.BindPFlag(k.name, f); err != nil {
					return nil, &Error{Key: k.name, Msg: err.Error()}
				}
			}
		}
	}

	sources := make(map[string]source)
	for _, k := range keys() {
		src := source{origin: OriginDefault}
		for _, l := range []layer{flags, environ, profile} {
			if val, ok := l[k.name]; ok {
				src = val.src
				break
			}
		}
		sources[k.name] = src
		cfg.origins[k.name] = src.origin
		switch p := k.field(cfg).(type) {
		case *string:
			*p = v.GetString(k.name)
		case *secret.Secret:
			*p = secret.New(v.GetString(k.name))
		case *time.Duration:
			*p = v.GetDuration(k.name)
		case *bool:
			*p = v.GetBool(k.name)
		}
	}

	if err := resolvePassword(cfg, sources); err != nil {
		return nil, err
	}
	if err := validate(cfg, sources); err != nil {
		return nil, err
	}
	return cfg, nil
}

// envLayer reads the PSIB_* variables of the key table.
func envLayer(env Env) (layer, error) {
	l := make(layer)
	for _, k := range keys() {
		if k.env == "" {
			continue
		}
		s, ok := env.get(k.env)
		if !ok {
			continue
		}
		src := source{origin: OriginEnv, name: k.env}
		v, err := parseText(k, s, src)
		if err != nil {
			return nil, err
		}
		l[k.name] = value{v: v, src: src}
	}
	return l, nil
}

// flagLayer reads the flags of the key table that were given.
func flagLayer(fs *pflag.FlagSet) layer {
	l := make(layer)
	if fs == nil {
		return l
	}
	for _, k := range keys() {
		if k.flag == "" {
			continue
		}
		f := fs.Lookup(k.flag)
		if f == nil || !f.Changed {
			continue
		}
		var v any = f.Value.String()
		switch k.kind {
		case kindDuration:
			if d, err := fs.GetDuration(k.flag); err == nil {
				v = d
			}
		case kindBool:
			if b, err := fs.GetBool(k.flag); err == nil {
				v = b
			}
		}
		l[k.name] = value{v: v, src: source{origin: OriginFlag, name: "--" + k.flag}}
	}
	return l
}

// parseText reads the text s of key k (from the environment).
func parseText(k keyDef, s string, src source) (any, error) {
	switch k.kind {
	case kindDuration:
		return parseDuration(k.name, s, src)
	case kindBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, src.errorf(k.name, "%q is not a boolean; use true or false", s)
		}
		return b, nil
	}
	return s, nil
}

// parseDuration reads a duration such as "30s" or "2m".
func parseDuration(key, s string, src source) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		if _, numErr := strconv.ParseFloat(strings.TrimSpace(s), 64); numErr == nil {
			return 0, src.errorf(key, "%q has no unit; write e.g. %ss", s, strings.TrimSpace(s))
		}
		return 0, src.errorf(key, "%q is not a duration; use a number with a unit, e.g. 30s, 2m or 1m30s", s)
	}
	return d, nil
}

// resolvePassword settles the node password: node_password and
// node_password_file are alternatives, and the one from the higher layer
// wins. A password file is read here.
func resolvePassword(cfg *Config, sources map[string]source) error {
	pw, pf := sources[keyPassword], sources[keyPasswordFile]
	switch {
	case pw.origin == OriginDefault && pf.origin == OriginDefault:
		return nil
	case pw.origin == pf.origin:
		// Only a profile can hold both.
		e := pf.errorf(keyPasswordFile, "")
		e.Msg = fmt.Sprintf("%s and %s are both set; keep one of them", keyPassword, keyPasswordFile)
		return e
	case pf.origin.rank() > pw.origin.rank():
		data, err := os.ReadFile(cfg.Gateway.NodePasswordFile)
		if err != nil {
			return pf.errorf(keyPasswordFile, "cannot read the node password: %v", err)
		}
		p := strings.TrimRight(string(data), "\r\n")
		if p == "" {
			return pf.errorf(keyPasswordFile, "node password file %s is empty", cfg.Gateway.NodePasswordFile)
		}
		cfg.Gateway.NodePassword = secret.New(p)
		cfg.origins[keyPassword] = pf.origin
	default:
		// The inline password wins: the file is not read, and not shown.
		cfg.Gateway.NodePasswordFile = ""
		cfg.origins[keyPasswordFile] = OriginDefault
	}
	return nil
}

// validate checks the effective values and normalizes the URL.
func validate(cfg *Config, sources map[string]source) error {
	if cfg.Gateway.URL != "" {
		u, problem := checkURL(cfg.Gateway.URL)
		if problem != "" {
			return sources[keyURL].errorf(keyURL, "%s", problem)
		}
		cfg.Gateway.URL = u
	}
	if cfg.Gateway.Timeout <= 0 {
		return sources[keyTimeout].errorf(keyTimeout, "%s is not a usable timeout; give a positive duration such as 30s", cfg.Gateway.Timeout)
	}
	switch {
	case cfg.TLS.Cert != "" && cfg.TLS.Key == "":
		return sources[keyCert].errorf(keyCert, "a client certificate needs its private key: give tls.key (--key) too")
	case cfg.TLS.Key != "" && cfg.TLS.Cert == "":
		return sources[keyKey].errorf(keyKey, "a private key needs its client certificate: give tls.cert (--cert) too")
	}
	return nil
}
