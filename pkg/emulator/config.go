package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config describes the PeopleSoft system behind the emulated gateway: its
// nodes, user profiles, service operations and their handlers.
type Config struct {
	// LocalNode is the default local node (seed 000: HRMS). A ping's
	// destination must match it.
	LocalNode string `yaml:"local_node"`
	// Users are the user profiles that exist (and are not locked).
	Users []string `yaml:"users"`
	// UserPasswords are the passwords of users who authenticate
	// themselves (WS-Security UsernameToken). A user without an entry is
	// accepted with any password.
	UserPasswords map[string]string `yaml:"user_passwords"`
	// Nodes are the nodes that may send requests.
	Nodes []Node `yaml:"nodes"`
	// Operations are the service operations, by external alias.
	Operations []Operation `yaml:"operations"`
	// Faults are injected on matching requests (see Fault).
	Faults []Fault `yaml:"faults"`
}

// Node is a node definition.
type Node struct {
	Name string `yaml:"name"`
	// Auth is the authentication option: "none" or "password".
	Auth string `yaml:"auth"`
	// Password is the node password (auth "password").
	Password string `yaml:"password"`
	// DefaultUser runs requests from this node; a user that does not exist
	// gives 158/55.
	DefaultUser string `yaml:"default_user"`
}

// Operation is a service operation and its handler.
type Operation struct {
	// Name is the external alias the client sends, e.g. CHG_SYNC_TEST.v1.
	// Matched case-sensitively.
	Name string `yaml:"name"`
	// Type is "sync" or "async".
	Type string `yaml:"type"`
	// Handler is the handler kind: "seed" (the seed 000 PeopleCode),
	// "echo", "file", "template", "worklist-create", "worklist-status" or
	// "none" (async: accept and do nothing).
	Handler string `yaml:"handler"`
	// File is the reply file of a "file" handler (relative to the config).
	File string `yaml:"file"`
	// Template is the reply of a "template" handler: {{xpath "EXPR"}}
	// is replaced by the string value of EXPR on the request.
	Template string `yaml:"template"`
	// Users may invoke the operation (service operation security); empty
	// means any existing user. Others get 158/536.
	Users []string `yaml:"users"`
	// UserPasswords are the passwords of users who authenticate
	// themselves (WS-Security UsernameToken). A user without an entry is
	// accepted with any password.
	UserPasswords map[string]string `yaml:"user_passwords"`
	// Delay is how long the handler takes (a slow handler).
	Delay time.Duration `yaml:"delay"`
}

// DefaultConfig reproduces the seeds: external node PTEST with password
// "secret" and default user PS (seed 000), local node HRMS, the sync
// CHG_SYNC_TEST.v1 with the seed's PeopleCode, the async
// CHG_ASYNC_UTEST.v1 (seed 001), PT_WORKLIST's CREATE_WORKLIST_ITEM and
// GETWLINSTANCE (seed 004), and ANONYMOUS for web services.
func DefaultConfig() *Config {
	return &Config{
		LocalNode: "HRMS",
		Users:     []string{"PS", "VP1"},
		// The PeopleSoft demo databases' convention: the password is the
		// user id.
		UserPasswords: map[string]string{"PS": "PS", "VP1": "VP1"},
		Nodes: []Node{
			{Name: "PTEST", Auth: "password", Password: "secret", DefaultUser: "PS"},
			{Name: "ANONYMOUS", Auth: "none", DefaultUser: "PS"},
		},
		Operations: []Operation{
			{Name: "CHG_SYNC_TEST.v1", Type: "sync", Handler: "seed"},
			{Name: "CHG_ASYNC_UTEST.v1", Type: "async", Handler: "none"},
			{Name: "CHG_ECHO_TEST.v1", Type: "sync", Handler: "echo"},
			{Name: "CHG_ADMIN_TEST.v1", Type: "sync", Handler: "echo", Users: []string{"ADMIN"}},
			{Name: "CREATE_WORKLIST_ITEM.v1", Type: "async", Handler: "worklist-create"},
			{Name: "GETWLINSTANCE.v1", Type: "sync", Handler: "worklist-status"},
		},
	}
}

// LoadConfig reads a YAML configuration. Unknown keys and bad values are
// errors naming the file and line.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("emulator config: %w", err)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %s", path, strings.Join(te.Errors, "; "))
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Validate checks the configuration for mistakes that would make the
// emulator answer nonsense.
func (c *Config) Validate() error {
	if c.LocalNode == "" {
		return errors.New("local_node is required")
	}
	nodes := map[string]bool{}
	for i, n := range c.Nodes {
		if n.Name == "" {
			return fmt.Errorf("nodes[%d]: name is required", i)
		}
		if nodes[n.Name] {
			return fmt.Errorf("nodes[%d]: node %s defined twice", i, n.Name)
		}
		nodes[n.Name] = true
		switch n.Auth {
		case "none", "password":
		case "":
			c.Nodes[i].Auth = "none"
		default:
			return fmt.Errorf("node %s: auth %q: use none or password", n.Name, n.Auth)
		}
	}
	ops := map[string]bool{}
	for i, o := range c.Operations {
		if o.Name == "" {
			return fmt.Errorf("operations[%d]: name is required", i)
		}
		if ops[o.Name] {
			return fmt.Errorf("operations[%d]: operation %s defined twice", i, o.Name)
		}
		ops[o.Name] = true
		switch o.Type {
		case "sync", "async":
		default:
			return fmt.Errorf("operation %s: type %q: use sync or async", o.Name, o.Type)
		}
		switch o.Handler {
		case "seed", "echo", "none", "worklist-create", "worklist-status":
		case "file":
			if o.File == "" {
				return fmt.Errorf("operation %s: handler file needs file:", o.Name)
			}
		case "template":
			if o.Template == "" {
				return fmt.Errorf("operation %s: handler template needs template:", o.Name)
			}
		case "":
			if o.Type == "async" {
				c.Operations[i].Handler = "none"
			} else {
				c.Operations[i].Handler = "echo"
			}
		default:
			return fmt.Errorf("operation %s: handler %q: use seed, echo, file, template, worklist-create, worklist-status or none", o.Name, o.Handler)
		}
	}
	for i, f := range c.Faults {
		if _, err := f.parsed(); err != nil {
			return fmt.Errorf("faults[%d]: %w", i, err)
		}
	}
	return nil
}

func (c *Config) node(name string) (*Node, bool) {
	for i := range c.Nodes {
		if c.Nodes[i].Name == name {
			return &c.Nodes[i], true
		}
	}
	return nil, false
}

func (c *Config) operation(name string) (*Operation, bool) {
	for i := range c.Operations {
		if c.Operations[i].Name == name {
			return &c.Operations[i], true
		}
	}
	return nil, false
}

func (c *Config) userExists(u string) bool {
	for _, x := range c.Users {
		if x == u {
			return true
		}
	}
	return false
}
