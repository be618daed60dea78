package config

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// ProfileInfo describes one profile file.
type ProfileInfo struct {
	// Name is what --profile takes: the file name without .yaml.
	Name string `json:"name"`
	// Path is the file: profiles/NAME.yaml (relative to Env.WorkDir) for a
	// project profile, an absolute path for a user profile.
	Path string `json:"path"`
	// Shadowed is true for a user profile hidden by a project profile of the
	// same name: --profile NAME reads the project one.
	Shadowed bool `json:"shadowed"`
}

// profileRef is one place a profile may live.
type profileRef struct {
	name    string
	path    string // to open
	display string // to show
}

// localProfilesDir is the project directory, as shown to users.
const localProfilesDir = "profiles"

// profileDirs returns the directories searched, in order, each as a path to
// open and as shown.
func profileDirs(env Env) (paths, displays []string) {
	paths = append(paths, filepath.Join(env.WorkDir, localProfilesDir))
	displays = append(displays, localProfilesDir)
	if dir, ok := userProfilesDir(env); ok {
		paths = append(paths, dir)
		displays = append(displays, dir)
	}
	return paths, displays
}

// userProfilesDir is $XDG_CONFIG_HOME/psib/profiles, or
// $HOME/.config/psib/profiles; false when neither variable is usable.
func userProfilesDir(env Env) (string, bool) {
	// The XDG spec says a relative XDG_CONFIG_HOME is to be ignored.
	if x, ok := env.get("XDG_CONFIG_HOME"); ok && filepath.IsAbs(x) {
		return filepath.Join(x, "psib", "profiles"), true
	}
	if h, ok := env.get("HOME"); ok {
		return filepath.Join(h, ".config", "psib", "profiles"), true
	}
	return "", false
}

// ProfileDirs returns the directories where profiles are looked up, in
// order: "profiles" (under Env.WorkDir), then the user's directory when HOME
// or XDG_CONFIG_HOME is set.
func ProfileDirs(env Env) []string {
	_, displays := profileDirs(env)
	return displays
}

// ListProfiles returns the profiles that exist: the project's (sorted by
// name), then the user's (sorted by name, Shadowed when a project profile has
// the same name). Directories that do not exist hold no profiles.
func ListProfiles(env Env) ([]ProfileInfo, error) {
	paths, displays := profileDirs(env)
	var out []ProfileInfo
	seen := make(map[string]bool)
	for i, dir := range paths {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, &Error{File: displays[i], Msg: "cannot list profiles: " + ioMsg(err)}
		}
		var here []ProfileInfo
		for _, e := range entries {
			name, ok := strings.CutSuffix(e.Name(), ".yaml")
			if !ok || e.IsDir() || checkName(name) != "" {
				continue
			}
			here = append(here, ProfileInfo{Name: name, Path: filepath.Join(displays[i], e.Name()), Shadowed: seen[name]})
		}
		sort.Slice(here, func(a, b int) bool { return here[a].Name < here[b].Name })
		for _, p := range here {
			seen[p.Name] = true
		}
		out = append(out, here...)
	}
	return out, nil
}

// checkName returns what is wrong with a profile name, or "".
func checkName(name string) string {
	switch {
	case name == "":
		return "is empty"
	case name == "." || name == "..", strings.ContainsAny(name, `/\`+string(filepath.Separator)+"\x00"):
		return "must be a plain name, without directories"
	case strings.HasPrefix(name, "."):
		return "must not start with a dot"
	}
	return ""
}

// chooseProfile returns the profile that --profile or PSIB_PROFILE names, or
// nil when neither does.
func chooseProfile(flags *pflag.FlagSet, env Env) (*profileRef, error) {
	var name, from string
	if f := lookupFlag(flags, profileFlag); f != nil && f.Changed {
		// --profile "" is allowed: it turns off a PSIB_PROFILE.
		name, from = f.Value.String(), "--"+profileFlag
	} else if v, ok := env.get(profileEnv); ok {
		name, from = v, profileEnv
	}
	if name == "" {
		return nil, nil
	}
	if trimmed, ok := strings.CutSuffix(name, ".yaml"); ok && checkName(trimmed) == "" {
		fix := from + " " + trimmed
		if from == profileEnv {
			fix = from + "=" + trimmed
		}
		return nil, &Error{Key: "profile", Msg: fmt.Sprintf("profile %q (from %s): give the name without .yaml, e.g. %s", name, from, fix)}
	}
	if problem := checkName(name); problem != "" {
		return nil, &Error{Key: "profile", Msg: fmt.Sprintf("profile name %q (from %s) %s: profiles are looked up by name in %s", name, from, problem, strings.Join(ProfileDirs(env), " and "))}
	}

	paths, displays := profileDirs(env)
	var looked []string
	for i, dir := range paths {
		ref := profileRef{name: name, path: filepath.Join(dir, name+".yaml"), display: filepath.Join(displays[i], name+".yaml")}
		st, err := os.Stat(ref.path)
		if err == nil && !st.IsDir() {
			return &ref, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
			return nil, &Error{File: ref.display, Msg: "cannot read profile: " + ioMsg(err)}
		}
		looked = append(looked, ref.display)
	}

	msg := fmt.Sprintf("profile %q (from %s) not found; looked for %s", name, from, strings.Join(looked, " and "))
	var names []string
	have := make(map[string]bool)
	if list, err := ListProfiles(env); err == nil {
		for _, p := range list {
			if !have[p.Name] {
				have[p.Name] = true
				names = append(names, p.Name)
			}
		}
	}
	if len(names) > 0 {
		msg += "; profiles that exist: " + strings.Join(names, ", ")
	} else {
		msg += "; no profiles exist (create profiles/" + name + ".yaml)"
	}
	return nil, &Error{Key: "profile", Msg: msg}
}

// lookupFlag is fs.Lookup, safe for a nil flag set.
func lookupFlag(fs *pflag.FlagSet, name string) *pflag.Flag {
	if fs == nil {
		return nil
	}
	return fs.Lookup(name)
}

// isNotDir reports whether err says a path element is a file, which means
// the profile is not there either.
func isNotDir(err error) bool {
	return errors.Is(err, syscall.ENOTDIR)
}

// ioMsg is err without the path, which the caller already shows.
func ioMsg(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// loadProfile reads and checks one profile file, and warns when it exposes
// a password.
func loadProfile(ref profileRef) (layer, []string, error) {
	data, err := os.ReadFile(ref.path)
	if err != nil {
		return nil, nil, &Error{File: ref.display, Msg: "cannot read profile: " + ioMsg(err)}
	}
	vals, err := parseProfile(data, ref.display, filepath.Dir(ref.path))
	if err != nil {
		return nil, nil, err
	}
	var warnings []string
	if _, inline := vals[keyPassword]; inline && runtime.GOOS != "windows" {
		if st, err := os.Stat(ref.path); err == nil {
			if perm := st.Mode().Perm(); perm&0o077 != 0 {
				who := "readable by other users"
				if perm&0o044 == 0 {
					who = "open to other users"
				}
				warnings = append(warnings, fmt.Sprintf("%s holds a node password and is %s (mode %04o): chmod 600 %s",
					ref.display, who, perm, shellQuote(ref.display)))
			}
		}
	}
	return vals, warnings, nil
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`!*?[]{}()<>|&;#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// parseProfile checks a profile's YAML against the key table and returns its
// values. file names the profile in errors; dir is where relative paths in
// it start.
func parseProfile(data []byte, file, dir string) (layer, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(file, data, err)
	}
	vals := make(layer)
	if len(doc.Content) == 0 {
		return vals, nil // empty, or only comments
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return vals, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: root.Line, Msg: fmt.Sprintf("a profile is a mapping with %s sections (e.g. \"gateway:\" then \"  url: https://ib.example.edu:8443/PSIGW\"), not %s",
			strings.Join(sortedKeys(sections()), " and "), nodeKind(root))}
	}

	defs := keyIndex()
	secs := sections()
	seen := make(map[string]int) // key → line, for duplicates
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := root.Content[i], deref(root.Content[i+1])
		sec := kn.Value
		if !secs[sec] {
			if _, ok := defs[sec]; ok {
				s, k, _ := strings.Cut(sec, ".")
				return nil, &Error{File: file, Line: kn.Line, Key: sec, Msg: fmt.Sprintf("key %q must be nested: write %q and, indented below it, %q", sec, s+":", k+": ...")}
			}
			return nil, unknownKey(file, kn.Line, sec)
		}
		if first, dup := seen[sec]; dup {
			return nil, &Error{File: file, Line: kn.Line, Key: sec, Msg: fmt.Sprintf("duplicate key %q (first at line %d)", sec, first)}
		}
		seen[sec] = kn.Line
		if isNull(vn) {
			continue
		}
		if vn.Kind != yaml.MappingNode {
			return nil, &Error{File: file, Line: kn.Line, Key: sec, Msg: fmt.Sprintf("%s: expected a mapping of %s.* keys, got %s", sec, sec, nodeKind(vn))}
		}
		for j := 0; j+1 < len(vn.Content); j += 2 {
			kn2, vn2 := vn.Content[j], deref(vn.Content[j+1])
			name := sec + "." + kn2.Value
			def, ok := defs[name]
			if !ok {
				return nil, unknownKey(file, kn2.Line, name)
			}
			if first, dup := seen[name]; dup {
				return nil, &Error{File: file, Line: kn2.Line, Key: name, Msg: fmt.Sprintf("duplicate key %q (first at line %d)", name, first)}
			}
			seen[name] = kn2.Line
			if isNull(vn2) {
				continue // "from:" with nothing after it: unset
			}
			src := source{origin: OriginProfile, file: file, line: kn2.Line}
			v, err := nodeValue(def, vn2, src, dir)
			if err != nil {
				return nil, err
			}
			vals[name] = value{v: v, src: src}
		}
	}
	return vals, nil
}

// nodeValue reads the value of key def from a YAML node.
func nodeValue(def keyDef, n *yaml.Node, src source, dir string) (any, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, src.errorf(def.name, "expected %s, got %s", def.kind.expect(), nodeKind(n))
	}
	switch def.kind {
	case kindDuration:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return nil, src.errorf(def.name, "%s has no unit; write e.g. %ss", n.Value, n.Value)
		case "!!str":
			return parseDuration(def.name, n.Value, src)
		}
		return nil, src.errorf(def.name, "%q is not a duration; use a number with a unit, e.g. 30s, 2m or 1m30s", n.Value)
	case kindBool:
		var b bool
		if n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
			return nil, src.errorf(def.name, "%q is not a boolean; use true or false", n.Value)
		}
		return b, nil
	case kindPath:
		if n.Value != "" && !filepath.IsAbs(n.Value) {
			return filepath.Join(dir, n.Value), nil
		}
	}
	return n.Value, nil
}

// unknownKey reports a key the table does not have, with the closest known
// key when there is one.
func unknownKey(file string, line int, name string) *Error {
	known := keyNames()
	msg := fmt.Sprintf("unknown key %q", name)
	candidates := known
	if !strings.Contains(name, ".") {
		candidates = sortedKeys(sections())
	}
	if s := suggest(name, candidates); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	msg += " (known: " + strings.Join(known, ", ") + ")"
	return &Error{File: file, Line: line, Key: name, Msg: msg}
}

// yamlError turns a YAML syntax error into an *Error with the line where the
// problem is. The parser's own "line N" is that of the enclosing construct
// (a tab on line 3 inside a mapping that starts on line 2 says "line 2"), and
// is missing for the first line; so the line reported is the first one whose
// inclusion produces the same error.
func yamlError(file string, data []byte, err error) *Error {
	full := err.Error()
	msg := strings.TrimPrefix(full, "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, m, ok := strings.Cut(rest, ": "); ok {
			if n, convErr := strconv.Atoi(num); convErr == nil {
				line, msg = n, m
			}
		}
	}
	// Profiles are small; stop re-parsing prefixes on anything large.
	const maxScan = 64 << 10
	if len(data) <= maxScan {
		n := 0
		for k, l := range bytes.SplitAfter(data, []byte("\n")) {
			n += len(l)
			var node yaml.Node
			if e := yaml.Unmarshal(data[:n], &node); e != nil && e.Error() == full {
				line = k + 1
				break
			}
		}
	}
	return &Error{File: file, Line: line, Msg: "invalid YAML: " + msg}
}

// deref follows a YAML alias to the node it names.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is an empty value ("key:" or "key: ~").
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// nodeKind names a node's kind for error messages.
func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "something else"
}

// checkURL returns the gateway URL without its trailing slash, or what is
// wrong with it.
func checkURL(s string) (string, string) {
	const example = "e.g. https://ib.example.edu:8443/PSIGW"
	shown := strconv.Quote(s)
	if strings.Contains(s, "@") {
		// It may hold credentials: never repeat it.
		shown = "the gateway URL"
	}
	if !strings.Contains(s, "://") {
		return "", fmt.Sprintf("%s is not an absolute URL: it needs http:// or https:// and a host, %s", shown, example)
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && shown != "the gateway URL" {
			return "", fmt.Sprintf("%s is not a valid URL (%v), %s", shown, ue.Err, example)
		}
		return "", fmt.Sprintf("%s is not a valid URL, %s", shown, example)
	}
	switch {
	case u.User != nil:
		return "", "the gateway URL must not contain a user name or password (user:password@); the node password has its own settings"
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Sprintf("%s has scheme %q; use http or https, %s", shown, u.Scheme, example)
	case u.Host == "":
		return "", fmt.Sprintf("%s has no host, %s", shown, example)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "", fmt.Sprintf("%s must not have a query or fragment: give the base URL up to /PSIGW, %s", shown, example)
	}
	return strings.TrimRight(s, "/"), ""
}
