package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite testscript golden sections (cmp stdout files) from actual output")

// TestMain lets testscript run the real psib binary in-process: the test
// binary re-executes itself as "psib".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"psib": func() { os.Exit(run(os.Args[1:], systemStreams(), os.LookupEnv)) },
	})
}

// TestScripts runs every testdata/script/*.txtar end to end.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       *updateScripts,
		Setup: func(env *testscript.Env) error {
			// Keep the user's real configuration and color settings out.
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/.config")
			env.Setenv("NO_COLOR", "")
			env.Setenv("FIXTURES", fixturesDir())
			return nil
		},
	})
}

func fixturesDir() string {
	wd, _ := os.Getwd()
	return wd + "/../../testdata"
}
