package main

import (
	"bytes"
	"io"
	"os"

	"github.com/fatih/color"
	"github.com/mattn/go-isatty"
)

// streams are the command's standard streams, injected so that tests can use
// buffers, with the terminal facts decided once for each stream.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool

	// colorMode is "auto", "always" or "never" (from --color); noColor is
	// the NO_COLOR / TERM=dumb verdict of the environment.
	colorMode string
	noColor   bool
	forceTTY  bool
}

func systemStreams() *streams {
	fdTTY := func(f *os.File) bool {
		return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
	}
	return &streams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		inTTY: fdTTY(os.Stdin), outTTY: fdTTY(os.Stdout), errTTY: fdTTY(os.Stderr),
		colorMode: "auto",
	}
}

// testStreams returns streams over buffers; nothing is a terminal.
func testStreams(stdin string) (*streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &streams{In: bytes.NewBufferString(stdin), Out: &out, ErrOut: &errOut, colorMode: "auto"}, &out, &errOut
}

// applyEnv reads the environment's color and terminal conventions:
// NO_COLOR (any value) and TERM=dumb turn color off, CLICOLOR_FORCE turns it
// on, PSIB_FORCE_TTY makes stdout and stderr count as terminals (pretty
// output in tests and in `script`-style captures).
func (s *streams) applyEnv(lookupEnv func(string) (string, bool)) {
	if _, ok := lookupEnv("NO_COLOR"); ok {
		s.noColor = true
	}
	if term, _ := lookupEnv("TERM"); term == "dumb" {
		s.noColor = true
	}
	if v, ok := lookupEnv("CLICOLOR_FORCE"); ok && v != "" && v != "0" {
		if s.colorMode == "auto" {
			s.colorMode = "always"
		}
	}
	if v, ok := lookupEnv("PSIB_FORCE_TTY"); ok && v != "" && v != "0" {
		s.forceTTY = true
	}
}

// IsStdoutTTY reports whether data written to Out lands on a terminal.
func (s *streams) IsStdoutTTY() bool { return s.outTTY || s.forceTTY }

// IsStderrTTY reports whether diagnostics land on a terminal (spinners and
// progress bars only then).
func (s *streams) IsStderrTTY() bool { return s.errTTY || s.forceTTY }

// IsStdinTTY reports whether stdin is a terminal (then "-" cannot be read
// without the user typing).
func (s *streams) IsStdinTTY() bool { return s.inTTY }

func (s *streams) colorFor(tty bool) bool {
	switch s.colorMode {
	case "always":
		return true
	case "never":
		return false
	}
	return tty && !s.noColor
}

// ColorOut reports whether Out gets ANSI color.
func (s *streams) ColorOut() bool { return s.colorFor(s.IsStdoutTTY()) }

// ColorErr reports whether ErrOut gets ANSI color.
func (s *streams) ColorErr() bool { return s.colorFor(s.IsStderrTTY()) }

// palette is a set of colors for one stream; each *color.Color has color
// switched on or off explicitly, so fatih/color's global NoColor (decided from
// stdout at init) never decides for us.
type palette struct {
	Bold, Dim, Red, Green, Yellow, Blue, Magenta, Cyan *color.Color
}

func newPalette(enabled bool) *palette {
	mk := func(attrs ...color.Attribute) *color.Color {
		c := color.New(attrs...)
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return &palette{
		Bold: mk(color.Bold), Dim: mk(color.Faint),
		Red: mk(color.FgRed), Green: mk(color.FgGreen), Yellow: mk(color.FgYellow),
		Blue: mk(color.FgBlue), Magenta: mk(color.FgMagenta), Cyan: mk(color.FgCyan),
	}
}

// OutPalette is the palette for data on stdout.
func (s *streams) OutPalette() *palette { return newPalette(s.ColorOut()) }

// ErrPalette is the palette for diagnostics on stderr.
func (s *streams) ErrPalette() *palette { return newPalette(s.ColorErr()) }
