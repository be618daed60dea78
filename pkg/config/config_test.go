package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/psib-dev/psib/pkg/secret"
)

// newFlags returns a flag set with AddFlags' flags, parsed from args.
func newFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("psib", pflag.ContinueOnError)
	AddFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return fs
}

// mapEnv is a LookupEnv over a map.
func mapEnv(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// testEnv returns an Env with its own work directory and the variables in m.
func testEnv(t *testing.T, m map[string]string) Env {
	t.Helper()
	return Env{LookupEnv: mapEnv(m), WorkDir: t.TempDir()}
}

// writeFile writes content to dir/name (creating directories) with mode.
func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is subject to the umask; set it exactly.
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeProfile writes <WorkDir>/profiles/name.yaml with mode 0600.
func writeProfile(t *testing.T, env Env, name, content string) string {
	t.Helper()
	return writeFile(t, filepath.Join(env.WorkDir, "profiles"), name+".yaml", content, 0o600)
}

// configError asserts that err is a *Error and returns it.
func configError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *config.Error", err, err)
	}
	return e
}

// rawValue is key k's value in c as text, with the secret revealed: tests
// need to tell the layers' passwords apart.
func rawValue(c *Config, k keyDef) string {
	switch p := k.field(c).(type) {
	case *string:
		return *p
	case *secret.Secret:
		return p.Reveal()
	case *time.Duration:
		return p.String()
	case *bool:
		return fmt.Sprint(*p)
	}
	return "?"
}

func setting(t *testing.T, c *Config, key string) Setting {
	t.Helper()
	for _, s := range c.Settings() {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("no setting %q", key)
	return Setting{}
}

func TestKeyTable(t *testing.T) {
	t.Parallel()
	names, flags, envs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	c := &Config{}
	for _, k := range keys() {
		if names[k.name] || (k.flag != "" && flags[k.flag]) || (k.env != "" && envs[k.env]) {
			t.Errorf("%s: duplicate name, flag or env", k.name)
		}
		names[k.name], flags[k.flag], envs[k.env] = true, true, true
		if k.kind == kindSecret && k.flag != "" {
			t.Errorf("%s: a secret must not have a flag", k.name)
		}
		if k.field == nil || k.field(c) == nil {
			t.Errorf("%s: no field", k.name)
		}
		if sec, rest, ok := strings.Cut(k.name, "."); !ok || sec == "" || rest == "" || strings.Contains(rest, ".") {
			t.Errorf("%s: keys are section.name", k.name)
		}
	}

	fs := newFlags(t)
	var got []string
	fs.VisitAll(func(f *pflag.Flag) { got = append(got, f.Name) })
	want := []string{"ca-file", "cert", "from", "gateway-url", "insecure", "key", "node-password-file", "profile", "timeout", "to"}
	if !slices.Equal(got, want) {
		t.Errorf("AddFlags defined %v, want %v", got, want)
	}
	if d, _ := fs.GetDuration("timeout"); d != 60*time.Second {
		t.Errorf("--timeout default = %v, want 60s", d)
	}
	wantEnv := map[string]string{
		"gateway.url": "PSIB_GATEWAY_URL", "gateway.from": "PSIB_FROM", "gateway.to": "PSIB_TO",
		"gateway.node_password": "PSIB_NODE_PASSWORD", "gateway.timeout": "PSIB_TIMEOUT",
	}
	for _, k := range keys() {
		if k.env != wantEnv[k.name] {
			t.Errorf("%s: env %q, want %q", k.name, k.env, wantEnv[k.name])
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fs   *pflag.FlagSet
		env  Env
	}{
		{"no flags, nil LookupEnv", nil, Env{WorkDir: t.TempDir()}},
		{"flags, empty env", newFlags(t), testEnv(t, nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A profile that is not asked for is not read.
			writeProfile(t, tc.env, "dev", "gateway:\n  from: NOPE\n")
			c, err := Load(tc.fs, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.ProfileName != "" || c.ProfilePath != "" || len(c.Warnings) != 0 {
				t.Errorf("profile %q %q warnings %q", c.ProfileName, c.ProfilePath, c.Warnings)
			}
			want := Config{Gateway: Gateway{Timeout: 60 * time.Second}}
			if c.Gateway != want.Gateway || c.TLS != want.TLS {
				t.Errorf("got %+v %+v, want %+v", c.Gateway, c.TLS, want)
			}
			for _, s := range c.Settings() {
				if s.Origin != OriginDefault {
					t.Errorf("%s origin %s", s.Key, s.Origin)
				}
			}
		})
	}
}

// TestPrecedence sets each key in every combination of layers and checks
// that the highest one wins: flag > env > profile > default.
func TestPrecedence(t *testing.T) {
	t.Parallel()
	// Per key: the value each layer gives ("" = the layer cannot set it),
	// as written there, and the default as shown.
	type vals struct{ profile, env, flag, def string }
	table := map[string]vals{
		"gateway.url":                {"https://profile.example.edu/PSIGW", "https://env.example.edu/PSIGW", "https://flag.example.edu/PSIGW", ""},
		"gateway.from":               {"PROFILE_NODE", "ENV_NODE", "FLAG_NODE", ""},
		"gateway.to":                 {"PROFILE_TO", "ENV_TO", "FLAG_TO", ""},
		"gateway.node_password":      {"pw-profile", "pw-env", "", ""},
		"gateway.node_password_file": {"pw-profile.txt", "", "FLAGDIR/pw-flag.txt", ""},
		"gateway.timeout":            {"11s", "22s", "33s", "1m0s"},
		"tls.ca_file":                {"ca-profile.pem", "", "/flag/ca.pem", ""},
		"tls.cert":                   {"cert-profile.pem", "", "/flag/cert.pem", ""},
		"tls.key":                    {"key-profile.pem", "", "/flag/key.pem", ""},
		"tls.insecure":               {"true", "", "false", "false"},
	}
	// Keys that need a partner to be valid; the partner comes from a flag
	// that does not take part in the test.
	partner := map[string][]string{
		"tls.cert": {"--key=/partner/key.pem"},
		"tls.key":  {"--cert=/partner/cert.pem"},
	}

	for _, k := range keys() {
		v, ok := table[k.name]
		if !ok {
			t.Errorf("no precedence case for %s", k.name)
			continue
		}
		if (v.env != "") != (k.env != "") || (v.flag != "") != (k.flag != "") {
			t.Errorf("%s: test table does not match the key table", k.name)
			continue
		}
		for mask := 0; mask < 8; mask++ {
			useProfile, useEnv, useFlag := mask&1 != 0, mask&2 != 0, mask&4 != 0
			if (useEnv && v.env == "") || (useFlag && v.flag == "") {
				continue
			}
			name := fmt.Sprintf("%s/profile=%v,env=%v,flag=%v", k.name, useProfile, useEnv, useFlag)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				envVars := map[string]string{}
				env := testEnv(t, envVars)
				profDir := filepath.Join(env.WorkDir, "profiles")
				flagDir := t.TempDir()
				writeFile(t, profDir, "pw-profile.txt", "pw-from-profile-file\n", 0o600)
				writeFile(t, flagDir, "pw-flag.txt", "pw-from-flag-file\n", 0o600)

				var args []string
				if mask != 0 {
					args = slices.Clone(partner[k.name])
				}
				want, wantOrigin := v.def, OriginDefault
				if useProfile {
					sec, key, _ := strings.Cut(k.name, ".")
					writeProfile(t, env, "dev", fmt.Sprintf("%s:\n  %s: %s\n", sec, key, v.profile))
					args = append(args, "--profile=dev")
					want, wantOrigin = v.profile, OriginProfile
					if k.kind == kindPath {
						want = filepath.Join(profDir, v.profile)
					}
				}
				if useEnv {
					envVars[k.env] = v.env
					want, wantOrigin = v.env, OriginEnv
				}
				if useFlag {
					fv := strings.ReplaceAll(v.flag, "FLAGDIR", flagDir)
					args = append(args, "--"+k.flag+"="+fv)
					want, wantOrigin = fv, OriginFlag
				}

				c, err := Load(newFlags(t, args...), env)
				if err != nil {
					t.Fatal(err)
				}
				if got := rawValue(c, k); got != want {
					t.Errorf("value = %q, want %q", got, want)
				}
				s := setting(t, c, k.name)
				if s.Origin != wantOrigin {
					t.Errorf("origin = %s, want %s", s.Origin, wantOrigin)
				}
				if k.kind == kindSecret && want != "" && s.Value != secret.Redacted {
					t.Errorf("setting shows %q, want %s", s.Value, secret.Redacted)
				}
				// A password file is read, and the password takes its origin.
				if k.name == keyPasswordFile && wantOrigin != OriginDefault {
					wantPW := map[Origin]string{OriginProfile: "pw-from-profile-file", OriginFlag: "pw-from-flag-file"}[wantOrigin]
					if got := c.Gateway.NodePassword.Reveal(); got != wantPW {
						t.Errorf("password = %q, want %q", got, wantPW)
					}
					if o := setting(t, c, keyPassword).Origin; o != wantOrigin {
						t.Errorf("password origin = %s, want %s", o, wantOrigin)
					}
				}
			})
		}
	}
}

// TestPasswordLayers: node_password and node_password_file are one setting
// across layers; the higher layer wins, one layer may not give both.
func TestPasswordLayers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		profile     string
		env         map[string]string
		args        []string
		want        string
		wantOrigin  Origin
		wantFile    bool // NodePasswordFile is set
		fileOrigin  Origin
		errContains string
	}{
		{
			name:    "env password beats profile file, which is not read",
			profile: "gateway:\n  node_password_file: missing.txt\n",
			env:     map[string]string{"PSIB_NODE_PASSWORD": "from-env"},
			want:    "from-env", wantOrigin: OriginEnv, fileOrigin: OriginDefault,
		},
		{
			name:    "flag file beats env password",
			profile: "gateway:\n  node_password: from-profile\n",
			env:     map[string]string{"PSIB_NODE_PASSWORD": "from-env"},
			args:    []string{"--node-password-file=FLAGFILE"},
			want:    "from-flag-file", wantOrigin: OriginFlag, wantFile: true, fileOrigin: OriginFlag,
		},
		{
			name:    "flag file beats profile password",
			profile: "gateway:\n  node_password: from-profile\n",
			args:    []string{"--node-password-file=FLAGFILE"},
			want:    "from-flag-file", wantOrigin: OriginFlag, wantFile: true, fileOrigin: OriginFlag,
		},
		{
			name:        "profile with both",
			profile:     "gateway:\n  node_password: x\n  node_password_file: pw.txt\n",
			errContains: `profiles/dev.yaml:3: gateway.node_password and gateway.node_password_file are both set`,
		},
		{
			name:        "unreadable flag file",
			args:        []string{"--node-password-file=/nonexistent/pw"},
			errContains: "config: --node-password-file: cannot read the node password: open /nonexistent/pw: no such file or directory",
		},
		{
			name:        "unreadable profile file",
			profile:     "gateway:\n  from: A\n  node_password_file: nope/pw.txt\n",
			errContains: "profiles/dev.yaml:3: gateway.node_password_file: cannot read the node password",
		},
		{
			name:        "empty file",
			args:        []string{"--node-password-file=EMPTYFILE"},
			errContains: "is empty",
		},
		{
			name: "empty env counts as unset",
			env:  map[string]string{"PSIB_NODE_PASSWORD": ""},
			want: "", wantOrigin: OriginDefault, fileOrigin: OriginDefault,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t, tc.env)
			dir := t.TempDir()
			flagFile := writeFile(t, dir, "pw", "from-flag-file\r\n", 0o600)
			emptyFile := writeFile(t, dir, "empty", "\n", 0o600)
			args := tc.args
			for i, a := range args {
				a = strings.ReplaceAll(a, "EMPTYFILE", emptyFile)
				args[i] = strings.ReplaceAll(a, "FLAGFILE", flagFile)
			}
			if tc.profile != "" {
				writeProfile(t, env, "dev", tc.profile)
				args = append(args, "--profile=dev")
			}
			c, err := Load(newFlags(t, args...), env)
			if tc.errContains != "" {
				e := configError(t, err)
				if !strings.Contains(e.Error(), tc.errContains) {
					t.Fatalf("error %q does not contain %q", e, tc.errContains)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Gateway.NodePassword.Reveal(); got != tc.want {
				t.Errorf("password = %q, want %q", got, tc.want)
			}
			if o := setting(t, c, keyPassword).Origin; o != tc.wantOrigin {
				t.Errorf("password origin = %s, want %s", o, tc.wantOrigin)
			}
			if (c.Gateway.NodePasswordFile != "") != tc.wantFile {
				t.Errorf("NodePasswordFile = %q", c.Gateway.NodePasswordFile)
			}
			if o := setting(t, c, keyPasswordFile).Origin; o != tc.fileOrigin {
				t.Errorf("file origin = %s, want %s", o, tc.fileOrigin)
			}
		})
	}
}

func TestRelativePasswordFile(t *testing.T) {
	t.Parallel()
	env := testEnv(t, map[string]string{"PSIB_PROFILE": "dev"})
	writeProfile(t, env, "dev", "gateway:\n  node_password_file: secrets/ib.pw\n")
	pw := writeFile(t, filepath.Join(env.WorkDir, "profiles", "secrets"), "ib.pw", "s3cr3t\n", 0o600)
	c, err := Load(newFlags(t), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Gateway.NodePasswordFile != pw {
		t.Errorf("NodePasswordFile = %q, want %q", c.Gateway.NodePasswordFile, pw)
	}
	if got := c.Gateway.NodePassword.Reveal(); got != "s3cr3t" {
		t.Errorf("password = %q", got)
	}
	if c.ProfileName != "dev" || c.ProfilePath != filepath.Join("profiles", "dev.yaml") {
		t.Errorf("profile %q at %q", c.ProfileName, c.ProfilePath)
	}
}

func TestProfileErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		profile string
		line    int
		key     string
		want    string // the whole Error()
	}{
		{
			name:    "unknown nested key",
			profile: "# dev\n\ngateway:\n  url: https://ib.example.edu/PSIGW\n  from: A\n  to: B\n  nodee: x\n",
			line:    7, key: "gateway.nodee",
			want: `profiles/dev.yaml:7: unknown key "gateway.nodee" (known: gateway.url, gateway.from, gateway.to, gateway.node_password, gateway.node_password_file, gateway.timeout, tls.ca_file, tls.cert, tls.key, tls.insecure)`,
		},
		{
			name:    "misspelt key gets a suggestion",
			profile: "gateway:\n  timout: 30s\n",
			line:    2, key: "gateway.timout",
			want: `profiles/dev.yaml:2: unknown key "gateway.timout"; did you mean "gateway.timeout"? (known: gateway.url, gateway.from, gateway.to, gateway.node_password, gateway.node_password_file, gateway.timeout, tls.ca_file, tls.cert, tls.key, tls.insecure)`,
		},
		{
			name:    "unknown section",
			profile: "gateway:\n  from: A\nTLS:\n  insecure: true\n",
			line:    3, key: "TLS",
			want: `profiles/dev.yaml:3: unknown key "TLS"; did you mean "tls"? (known: gateway.url, gateway.from, gateway.to, gateway.node_password, gateway.node_password_file, gateway.timeout, tls.ca_file, tls.cert, tls.key, tls.insecure)`,
		},
		{
			name:    "flat key",
			profile: "gateway.url: https://x/PSIGW\n",
			line:    1, key: "gateway.url",
			want: `profiles/dev.yaml:1: key "gateway.url" must be nested: write "gateway:" and, indented below it, "url: ..."`,
		},
		{
			name:    "duplicate key",
			profile: "gateway:\n  from: A\n  to: B\n  from: C\n",
			line:    4, key: "gateway.from",
			want: `profiles/dev.yaml:4: duplicate key "gateway.from" (first at line 2)`,
		},
		{
			name:    "timeout not a duration",
			profile: "gateway:\n  timeout: abc\n",
			line:    2, key: "gateway.timeout",
			want: `profiles/dev.yaml:2: gateway.timeout: "abc" is not a duration; use a number with a unit, e.g. 30s, 2m or 1m30s`,
		},
		{
			name:    "timeout without unit",
			profile: "gateway:\n  timeout: 30\n",
			line:    2, key: "gateway.timeout",
			want: `profiles/dev.yaml:2: gateway.timeout: 30 has no unit; write e.g. 30s`,
		},
		{
			name:    "timeout zero",
			profile: "gateway:\n  timeout: 0s\n",
			line:    2, key: "gateway.timeout",
			want: `profiles/dev.yaml:2: gateway.timeout: 0s is not a usable timeout; give a positive duration such as 30s`,
		},
		{
			name:    "insecure not a boolean",
			profile: "tls:\n  insecure: maybe\n",
			line:    2, key: "tls.insecure",
			want: `profiles/dev.yaml:2: tls.insecure: "maybe" is not a boolean; use true or false`,
		},
		{
			name:    "string given a list",
			profile: "gateway:\n  from:\n    - A\n    - B\n",
			line:    2, key: "gateway.from",
			want: `profiles/dev.yaml:2: gateway.from: expected a string, got a list`,
		},
		{
			name:    "section given a value",
			profile: "gateway: https://x/PSIGW\n",
			line:    1, key: "gateway",
			want: `profiles/dev.yaml:1: gateway: expected a mapping of gateway.* keys, got a single value`,
		},
		{
			name:    "not a mapping",
			profile: "- gateway\n",
			line:    1,
			want:    `profiles/dev.yaml:1: a profile is a mapping with gateway and tls sections (e.g. "gateway:" then "  url: https://ib.example.edu:8443/PSIGW"), not a list`,
		},
		{
			name:    "syntax error: tab",
			profile: "gateway:\n  from: A\n\tto: B\n",
			line:    3,
			want:    `profiles/dev.yaml:3: invalid YAML: found a tab character that violates indentation`,
		},
		{
			name:    "syntax error on the first line",
			profile: "gateway: from: A\n",
			line:    1,
			want:    `profiles/dev.yaml:1: invalid YAML: mapping values are not allowed in this context`,
		},
		{
			name:    "syntax error: bad indentation",
			profile: "gateway:\n  url: https://x/PSIGW\n from: A\n  to: B\n",
			line:    3,
			want:    `profiles/dev.yaml:3: invalid YAML: did not find expected key`,
		},
		{
			name:    "syntax error: unclosed list",
			profile: "gateway:\n  url: https://x/PSIGW\n  from: [A\n  to: B\n",
			line:    3,
			want:    `profiles/dev.yaml:3: invalid YAML: did not find expected ',' or ']'`,
		},
		{
			name:    "syntax error after a multi-line string",
			profile: "gateway:\n  from: \"A\n    B\"\n  to: B\n\tinsecure: true\n",
			line:    5,
			want:    `profiles/dev.yaml:5: invalid YAML: found a tab character that violates indentation`,
		},
		{
			name:    "invalid UTF-8",
			profile: "gateway:\n  from: A\n  to: \xff\n",
			line:    3,
			want:    `profiles/dev.yaml:3: invalid YAML: invalid leading UTF-8 octet`,
		},
		{
			name:    "bad URL",
			profile: "gateway:\n  from: A\n  url: ib.example.edu/PSIGW\n",
			line:    3, key: "gateway.url",
			want: `profiles/dev.yaml:3: gateway.url: "ib.example.edu/PSIGW" is not an absolute URL: it needs http:// or https:// and a host, e.g. https://ib.example.edu:8443/PSIGW`,
		},
		{
			name:    "cert without key",
			profile: "tls:\n  cert: c.pem\n",
			line:    2, key: "tls.cert",
			want: `profiles/dev.yaml:2: tls.cert: a client certificate needs its private key: give tls.key (--key) too`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t, nil)
			writeProfile(t, env, "dev", tc.profile)
			_, err := Load(newFlags(t, "--profile", "dev"), env)
			e := configError(t, err)
			if e.Error() != tc.want {
				t.Errorf("Error()\n got %s\nwant %s", e.Error(), tc.want)
			}
			if e.File != filepath.Join("profiles", "dev.yaml") || e.Line != tc.line || e.Key != tc.key {
				t.Errorf("File %q Line %d Key %q, want line %d key %q", e.File, e.Line, e.Key, tc.line, tc.key)
			}
		})
	}
}

func TestProfileEdgeCases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, profile string
		check         func(t *testing.T, c *Config)
	}{
		{"empty file", "", nil},
		{"only comments", "# nothing yet\n", nil},
		{"empty sections and keys", "gateway:\ntls:\n  ca_file:\n", nil},
		{"alias", "gateway:\n  from: &n PTEST\n  to: *n\n", func(t *testing.T, c *Config) {
			if c.Gateway.To != "PTEST" {
				t.Errorf("to = %q", c.Gateway.To)
			}
		}},
		{"numeric node name keeps its text", "gateway:\n  to: 0042\n", func(t *testing.T, c *Config) {
			if c.Gateway.To != "0042" {
				t.Errorf("to = %q", c.Gateway.To)
			}
		}},
		{"yaml booleans", "tls:\n  insecure: True\n", func(t *testing.T, c *Config) {
			if !c.TLS.Insecure {
				t.Error("insecure not set")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t, nil)
			writeProfile(t, env, "dev", tc.profile)
			c, err := Load(newFlags(t, "--profile=dev"), env)
			if err != nil {
				t.Fatal(err)
			}
			if c.ProfileName != "dev" {
				t.Errorf("ProfileName = %q", c.ProfileName)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestEnvAndFlagErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"env timeout", map[string]string{"PSIB_TIMEOUT": "abc"}, nil,
			`config: PSIB_TIMEOUT: "abc" is not a duration; use a number with a unit, e.g. 30s, 2m or 1m30s`},
		{"env timeout without unit", map[string]string{"PSIB_TIMEOUT": "30"}, nil,
			`config: PSIB_TIMEOUT: "30" has no unit; write e.g. 30s`},
		{"env timeout negative", map[string]string{"PSIB_TIMEOUT": "-5s"}, nil,
			`config: PSIB_TIMEOUT: -5s is not a usable timeout; give a positive duration such as 30s`},
		{"flag timeout zero", nil, []string{"--timeout=0"},
			`config: --timeout: 0s is not a usable timeout; give a positive duration such as 30s`},
		{"env URL", map[string]string{"PSIB_GATEWAY_URL": "ftp://ib.example.edu/PSIGW"}, nil,
			`config: PSIB_GATEWAY_URL: "ftp://ib.example.edu/PSIGW" has scheme "ftp"; use http or https, e.g. https://ib.example.edu:8443/PSIGW`},
		{"flag key without cert", nil, []string{"--key=k.pem"},
			`config: --key: a private key needs its client certificate: give tls.cert (--cert) too`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(newFlags(t, tc.args...), testEnv(t, tc.env))
			if e := configError(t, err); e.Error() != tc.want {
				t.Errorf("Error()\n got %s\nwant %s", e.Error(), tc.want)
			}
		})
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want, problem string
	}{
		{"https://ib.example.edu:8443/PSIGW", "https://ib.example.edu:8443/PSIGW", ""},
		{"https://ib.example.edu:8443/PSIGW/", "https://ib.example.edu:8443/PSIGW", ""},
		{"http://127.0.0.1:8000/PSIGW", "http://127.0.0.1:8000/PSIGW", ""},
		{"HTTPS://ib.example.edu/PSIGW//", "HTTPS://ib.example.edu/PSIGW", ""},
		{"ib.example.edu:8443/PSIGW", "", "needs http:// or https:// and a host"},
		{"/PSIGW", "", "needs http:// or https://"},
		{"ftp://ib.example.edu/PSIGW", "", `has scheme "ftp"`},
		{"https:///PSIGW", "", "has no host"},
		{"https://ib.example.edu/PSIGW?From=X", "", "must not have a query or fragment"},
		{"https://ib.example.edu/PSIGW#x", "", "must not have a query or fragment"},
		{"https://ib.example.edu:99999x/PSIGW", "", "is not a valid URL"},
		{"https://admin:hunter2@ib.example.edu/PSIGW", "", "must not contain a user name or password"},
		{"https://admin:hunter2@ib.exa mple.edu/PSIGW", "", "the gateway URL is not a valid URL"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, problem := checkURL(tc.in)
			if got != tc.want || !strings.Contains(problem, tc.problem) || (tc.problem == "") != (problem == "") {
				t.Errorf("checkURL(%q) = %q, %q; want %q, %q", tc.in, got, problem, tc.want, tc.problem)
			}
			if problem != "" && !strings.Contains(problem, "https://ib.example.edu:8443/PSIGW") && !strings.Contains(problem, "user name") {
				t.Errorf("problem %q gives no example", problem)
			}
			if strings.Contains(problem, "hunter2") {
				t.Errorf("problem %q repeats the credentials", problem)
			}
		})
	}
}

func TestProfileLookup(t *testing.T) {
	t.Parallel()
	type files struct{ local, xdg, home []string }
	for _, tc := range []struct {
		name     string
		files    files
		env      map[string]string // XDGDIR and HOMEDIR are replaced
		args     []string
		wantPath string // with XDGDIR/HOMEDIR; "" = error
		wantErr  string
	}{
		{
			name:  "local first",
			files: files{local: []string{"dev"}, xdg: []string{"dev"}},
			env:   map[string]string{"XDG_CONFIG_HOME": "XDGDIR"}, args: []string{"--profile=dev"},
			wantPath: "profiles/dev.yaml",
		},
		{
			name:  "XDG_CONFIG_HOME",
			files: files{xdg: []string{"dev"}, home: []string{"dev"}},
			env:   map[string]string{"XDG_CONFIG_HOME": "XDGDIR", "HOME": "HOMEDIR"}, args: []string{"--profile=dev"},
			wantPath: "XDGDIR/psib/profiles/dev.yaml",
		},
		{
			name:  "HOME fallback",
			files: files{home: []string{"dev"}},
			env:   map[string]string{"HOME": "HOMEDIR"}, args: []string{"--profile=dev"},
			wantPath: "HOMEDIR/.config/psib/profiles/dev.yaml",
		},
		{
			name:  "relative XDG_CONFIG_HOME is ignored",
			files: files{home: []string{"dev"}},
			env:   map[string]string{"XDG_CONFIG_HOME": "rel/config", "HOME": "HOMEDIR"}, args: []string{"--profile=dev"},
			wantPath: "HOMEDIR/.config/psib/profiles/dev.yaml",
		},
		{
			name:     "PSIB_PROFILE",
			files:    files{local: []string{"dev"}},
			env:      map[string]string{"PSIB_PROFILE": "dev"},
			wantPath: "profiles/dev.yaml",
		},
		{
			name:  "--profile beats PSIB_PROFILE",
			files: files{local: []string{"dev", "prod"}},
			env:   map[string]string{"PSIB_PROFILE": "prod"}, args: []string{"--profile=dev"},
			wantPath: "profiles/dev.yaml",
		},
		{
			name:  "--profile empty turns PSIB_PROFILE off",
			files: files{local: []string{"prod"}},
			env:   map[string]string{"PSIB_PROFILE": "prod"}, args: []string{"--profile="},
		},
		{
			name:  "missing, with candidates",
			files: files{local: []string{"test", "dev"}, home: []string{"prod", "dev"}},
			env:   map[string]string{"HOME": "HOMEDIR"}, args: []string{"--profile=qa"},
			wantErr: `config: profile "qa" (from --profile) not found; looked for profiles/qa.yaml and HOMEDIR/.config/psib/profiles/qa.yaml; profiles that exist: dev, test, prod`,
		},
		{
			name:    "missing, HOME unset",
			env:     map[string]string{"PSIB_PROFILE": "qa"},
			wantErr: `config: profile "qa" (from PSIB_PROFILE) not found; looked for profiles/qa.yaml; no profiles exist (create profiles/qa.yaml)`,
		},
		{
			name: "missing, HOME does not exist",
			env:  map[string]string{"HOME": "/no-home"}, args: []string{"--profile=qa"},
			wantErr: `config: profile "qa" (from --profile) not found; looked for profiles/qa.yaml and /no-home/.config/psib/profiles/qa.yaml; no profiles exist (create profiles/qa.yaml)`,
		},
		{
			name: "name with a directory", args: []string{"--profile=../dev"},
			wantErr: `config: profile name "../dev" (from --profile) must be a plain name, without directories: profiles are looked up by name in profiles`,
		},
		{
			name: "name with .yaml", env: map[string]string{"PSIB_PROFILE": "dev.yaml"},
			wantErr: `config: profile "dev.yaml" (from PSIB_PROFILE): give the name without .yaml, e.g. PSIB_PROFILE=dev`,
		},
		{
			name: "hidden name", args: []string{"--profile=.dev"},
			wantErr: `config: profile name ".dev" (from --profile) must not start with a dot: profiles are looked up by name in profiles`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			xdg, home := t.TempDir(), t.TempDir()
			repl := strings.NewReplacer("XDGDIR", xdg, "HOMEDIR", home)
			vars := map[string]string{}
			for k, v := range tc.env {
				vars[k] = repl.Replace(v)
			}
			env := testEnv(t, vars)
			for _, n := range tc.files.local {
				writeProfile(t, env, n, "gateway:\n  from: "+n+"\n")
			}
			for _, n := range tc.files.xdg {
				writeFile(t, filepath.Join(xdg, "psib", "profiles"), n+".yaml", "gateway:\n  from: "+n+"\n", 0o600)
			}
			for _, n := range tc.files.home {
				writeFile(t, filepath.Join(home, ".config", "psib", "profiles"), n+".yaml", "gateway:\n  from: "+n+"\n", 0o600)
			}
			c, err := Load(newFlags(t, tc.args...), env)
			if tc.wantErr != "" {
				if e := configError(t, err); e.Error() != repl.Replace(tc.wantErr) {
					t.Errorf("Error()\n got %s\nwant %s", e.Error(), repl.Replace(tc.wantErr))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.FromSlash(repl.Replace(tc.wantPath)); c.ProfilePath != want {
				t.Errorf("ProfilePath = %q, want %q", c.ProfilePath, want)
			}
		})
	}
}

func TestListProfiles(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	env := testEnv(t, map[string]string{"HOME": home})
	user := filepath.Join(home, ".config", "psib", "profiles")
	writeProfile(t, env, "test", "")
	writeProfile(t, env, "dev", "")
	writeFile(t, filepath.Join(env.WorkDir, "profiles"), "README.md", "", 0o644)
	writeFile(t, filepath.Join(env.WorkDir, "profiles"), ".hidden.yaml", "", 0o644)
	if err := os.MkdirAll(filepath.Join(env.WorkDir, "profiles", "dir.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, user, "prod.yaml", "", 0o600)
	writeFile(t, user, "dev.yaml", "", 0o600)

	got, err := ListProfiles(env)
	if err != nil {
		t.Fatal(err)
	}
	want := []ProfileInfo{
		{Name: "dev", Path: filepath.Join("profiles", "dev.yaml")},
		{Name: "test", Path: filepath.Join("profiles", "test.yaml")},
		{Name: "dev", Path: filepath.Join(user, "dev.yaml"), Shadowed: true},
		{Name: "prod", Path: filepath.Join(user, "prod.yaml")},
	}
	if !slices.Equal(got, want) {
		t.Errorf("ListProfiles\n got %+v\nwant %+v", got, want)
	}
	if dirs := ProfileDirs(env); !slices.Equal(dirs, []string{"profiles", user}) {
		t.Errorf("ProfileDirs = %q", dirs)
	}

	// Without HOME or XDG_CONFIG_HOME there are only project profiles, and
	// without those, none: not an error.
	for _, e := range []Env{
		{LookupEnv: mapEnv(nil), WorkDir: env.WorkDir},
		{LookupEnv: mapEnv(map[string]string{"HOME": "/no-home"}), WorkDir: t.TempDir()},
		{WorkDir: t.TempDir()},
	} {
		got, err := ListProfiles(e)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got {
			if strings.HasPrefix(p.Path, user) {
				t.Errorf("user profile %v listed without HOME", p)
			}
		}
	}
}

// TestSecretNeverShown loads passwords from every source and looks for them
// in everything Config and Error can print.
func TestSecretNeverShown(t *testing.T) {
	t.Parallel()
	const pw = "hunter2-sekrit"
	for _, tc := range []struct {
		name    string
		profile string
		mode    os.FileMode
		env     map[string]string
		args    []string
		wantErr bool
	}{
		{name: "env", env: map[string]string{"PSIB_NODE_PASSWORD": pw}},
		{name: "profile inline, world-readable", profile: "gateway:\n  node_password: " + pw + "\n", mode: 0o644},
		{name: "profile file", profile: "gateway:\n  node_password_file: pw.txt\n", mode: 0o644},
		{name: "flag file", args: []string{"--node-password-file=PWFILE"}},
		{name: "error after password", env: map[string]string{"PSIB_NODE_PASSWORD": pw, "PSIB_TIMEOUT": "x"}, wantErr: true},
		{name: "profile error after password", profile: "gateway:\n  node_password: " + pw + "\n  timeout: abc\n", mode: 0o600, wantErr: true},
		{name: "profile with both", profile: "gateway:\n  node_password: " + pw + "\n  node_password_file: pw.txt\n", mode: 0o644, wantErr: true},
		{name: "password in a list", profile: "gateway:\n  node_password: [" + pw + "]\n", mode: 0o644, wantErr: true},
		{name: "password in the URL", env: map[string]string{"PSIB_GATEWAY_URL": "https://PTEST:" + pw + "@ib.example.edu/PSIGW"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t, tc.env)
			pwFile := writeFile(t, filepath.Join(env.WorkDir, "profiles"), "pw.txt", pw+"\n", 0o600)
			args := slices.Clone(tc.args)
			for i := range args {
				args[i] = strings.ReplaceAll(args[i], "PWFILE", pwFile)
			}
			if tc.profile != "" {
				writeFile(t, filepath.Join(env.WorkDir, "profiles"), "dev.yaml", tc.profile, tc.mode)
				args = append(args, "--profile=dev")
			}
			c, err := Load(newFlags(t, args...), env)
			var shown []string
			if tc.wantErr {
				e := configError(t, err)
				shown = append(shown, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if c.Gateway.NodePassword.Reveal() != pw {
					t.Fatalf("password not loaded: %q", c.Gateway.NodePassword.Reveal())
				}
				js, err := json.Marshal(c)
				if err != nil {
					t.Fatal(err)
				}
				sj, _ := json.Marshal(c.Settings())
				shown = append(shown, fmt.Sprint(c), fmt.Sprintf("%v", *c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c),
					fmt.Sprintf("%s", c.Gateway), fmt.Sprintf("%q", c.Gateway.NodePassword), string(js), string(sj),
					strings.Join(c.Warnings, "\n"))
				if s := setting(t, c, keyPassword); s.Value != secret.Redacted {
					t.Errorf("password setting shows %q", s.Value)
				}
			}
			for _, s := range shown {
				if strings.Contains(s, pw) {
					t.Errorf("password shown in %s", s)
				}
			}
		})
	}
}

func TestPermissionWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	t.Parallel()
	for _, tc := range []struct {
		name    string
		profile string
		mode    os.FileMode
		want    []string
	}{
		{"inline password, 0644", "gateway:\n  node_password: x\n", 0o644,
			[]string{"profiles/dev.yaml holds a node password and is readable by other users (mode 0644): chmod 600 profiles/dev.yaml"}},
		{"inline password, 0640", "gateway:\n  node_password: x\n", 0o640,
			[]string{"profiles/dev.yaml holds a node password and is readable by other users (mode 0640): chmod 600 profiles/dev.yaml"}},
		{"inline password, 0620", "gateway:\n  node_password: x\n", 0o620,
			[]string{"profiles/dev.yaml holds a node password and is open to other users (mode 0620): chmod 600 profiles/dev.yaml"}},
		{"inline password, 0600", "gateway:\n  node_password: x\n", 0o600, nil},
		{"inline password, 0400", "gateway:\n  node_password: x\n", 0o400, nil},
		{"password file, 0644", "gateway:\n  node_password_file: pw.txt\n", 0o644, nil},
		{"no password, 0644", "gateway:\n  from: A\n", 0o644, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := testEnv(t, nil)
			writeFile(t, filepath.Join(env.WorkDir, "profiles"), "pw.txt", "x", 0o600)
			writeFile(t, filepath.Join(env.WorkDir, "profiles"), "dev.yaml", tc.profile, tc.mode)
			c, err := Load(newFlags(t, "--profile=dev"), env)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Warnings, tc.want) {
				t.Errorf("Warnings = %q, want %q", c.Warnings, tc.want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "profiles/dev.yaml", Line: 7, Key: "gateway.nodee", Msg: `unknown key "gateway.nodee"`}, `profiles/dev.yaml:7: unknown key "gateway.nodee"`},
		{Error{File: "profiles/dev.yaml", Msg: "cannot read profile: permission denied"}, "profiles/dev.yaml: cannot read profile: permission denied"},
		{Error{Msg: "PSIB_TIMEOUT: bad"}, "config: PSIB_TIMEOUT: bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// TestLoadIsolated runs many loads at once with different environments: no
// state is shared between them.
func TestLoadIsolated(t *testing.T) {
	t.Parallel()
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			node := fmt.Sprintf("NODE%d", i)
			c, err := Load(newFlags(t), testEnv(t, map[string]string{"PSIB_FROM": node}))
			if err != nil {
				t.Fatal(err)
			}
			if c.Gateway.From != node {
				t.Errorf("From = %q, want %q", c.Gateway.From, node)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	known := keyNames()
	for in, want := range map[string]string{
		"gateway.timout":  "gateway.timeout",
		"gateway.URL":     "gateway.url",
		"tls.cafile":      "tls.ca_file",
		"gateway.nodee":   "",
		"something.else":  "",
		"gateway.passwrd": "",
	} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSampleProfiles loads the profiles shipped in the repository: they must
// stay valid, and example.yaml must mention every key.
func TestSampleProfiles(t *testing.T) {
	t.Parallel()
	env := Env{LookupEnv: mapEnv(nil), WorkDir: filepath.Join("..", "..")}
	for _, tc := range []struct {
		name string
		want Gateway
	}{
		{"local", Gateway{URL: "http://127.0.0.1:8000/PSIGW", From: "PTEST", To: "HRMS", Timeout: 60 * time.Second}},
		{"example", Gateway{URL: "https://ib.example.edu:8443/PSIGW", From: "PSIB_EXTERNAL", To: "PSFT_HR", Timeout: 2 * time.Minute}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(newFlags(t, "--profile", tc.name), env)
			if err != nil {
				t.Fatal(err)
			}
			if c.Gateway != tc.want {
				t.Errorf("Gateway = %+v, want %+v", c.Gateway, tc.want)
			}
		})
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "profiles", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys() {
		_, name, _ := strings.Cut(k.name, ".")
		if !strings.Contains(string(data), " "+name+":") {
			t.Errorf("example.yaml does not show %s", k.name)
		}
	}
}
