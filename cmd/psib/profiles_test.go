package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runProfiles runs psib in a work directory holding ./profiles.
func runProfiles(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	io, out, errOut := testStreams("")
	code = run(args, io, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
	return code, out.String(), errOut.String()
}

func TestProfilesCommands(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("profiles/dev.yaml", "gateway:\n  url: https://dev.example.edu/PSIGW/\n  from: PSIB_DEV\n  node_password: hunter2\n")
	write("profiles/bad.yaml", "gateway:\n  nodee: x\n")
	write("home/.config/psib/profiles/dev.yaml", "gateway:\n  from: USER\n")
	t.Chdir(dir) // run() takes ./profiles from the working directory
	home := map[string]string{"HOME": filepath.Join(dir, "home")}

	for _, tc := range []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		stdout     []string // substrings
		stderr     string   // prefix
		noSecretIn bool
	}{
		{name: "show json", args: []string{"profiles", "show", "dev", "-o", "json"}, code: exitOK,
			stdout: []string{`{"profile":"dev","path":"profiles/dev.yaml","settings":[{"key":"gateway.url","value":"https://dev.example.edu/PSIGW","origin":"profile"}`,
				`{"key":"gateway.node_password","value":"REDACTED","origin":"profile"}`}},
		{name: "show text", env: map[string]string{"PSIB_PROFILE": "dev", "PSIB_FROM": "ENV"}, args: []string{"profiles", "show", "--to", "HRMS"}, code: exitOK,
			stdout: []string{"profile: dev (profiles/dev.yaml)\n", "\ngateway.from ", " ENV ", "\ngateway.to ", " HRMS "}},
		{name: "unknown key", args: []string{"profiles", "show", "bad"}, code: exitUsage,
			stderr: `psib: profiles/bad.yaml:2: unknown key "gateway.nodee"`},
		{name: "bad env", env: map[string]string{"PSIB_TIMEOUT": "abc"}, args: []string{"profiles", "show"}, code: exitUsage,
			stderr: `psib: config: PSIB_TIMEOUT: "abc" is not a duration`},
		{name: "missing profile", args: []string{"--profile", "qa", "profiles", "show"}, code: exitUsage,
			stderr: `psib: config: profile "qa" (from --profile) not found`},
		{name: "too many args", args: []string{"profiles", "show", "a", "b"}, code: exitUsage,
			stderr: "psib: psib profiles show takes at most one profile NAME"},
		{name: "bad output", args: []string{"profiles", "list", "-o", "xml"}, code: exitUsage,
			stderr: `psib: invalid --output "xml"`},
		{name: "list json", env: home, args: []string{"profiles", "list", "-o", "json"}, code: exitOK,
			stdout: []string{`{"name":"bad","path":"profiles/bad.yaml","shadowed":false}`, `"shadowed":true}`}},
		{name: "unknown subcommand", args: []string{"profiles", "rm"}, code: exitUsage,
			stderr: `psib: unknown command "rm" for "psib profiles"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runProfiles(t, tc.env, tc.args...)
			if code != tc.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			if !strings.HasPrefix(stderr, tc.stderr) {
				t.Errorf("stderr = %q, want it to start with %q", stderr, tc.stderr)
			}
			if strings.Contains(stdout+stderr, "hunter2") {
				t.Errorf("the password was printed:\n%s\n%s", stdout, stderr)
			}
			if tc.code == exitOK && strings.Contains(strings.Join(tc.args, " "), "json") {
				var v any
				if err := json.Unmarshal([]byte(stdout), &v); err != nil {
					t.Errorf("stdout is not one JSON document: %v\n%s", err, stdout)
				}
			}
		})
	}
}
