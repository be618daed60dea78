// Command gen-fullsync writes a valid FULLSYNC rowset message of a given size,
// for measuring psib lint (scripts/bench-lint.sh) without committing large
// files.
//
//	go run ./scripts/gen-fullsync -size 100MB -o /tmp/fullsync.xml
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/psib-dev/psib/pkg/lint/linttest"
)

func main() {
	size := flag.String("size", "100MB", "approximate size: a number of bytes with an optional KB, MB or GB suffix (powers of 1000)")
	out := flag.String("o", "-", "output file (- is stdout)")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintf(os.Stderr, "gen-fullsync: %v\n", err)
		os.Exit(2)
	}
	var w io.Writer = os.Stdout
	if *out != "-" {
		fh, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gen-fullsync: %v\n", err)
			os.Exit(1)
		}
		defer fh.Close()
		w = fh
	}
	if _, err := linttest.WriteFullSync(w, n); err != nil {
		fmt.Fprintf(os.Stderr, "gen-fullsync: %v\n", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, suf := range []struct {
		s string
		m int64
	}{{"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}} {
		if strings.HasSuffix(u, suf.s) {
			u, mult = strings.TrimSpace(strings.TrimSuffix(u, suf.s)), suf.m
			break
		}
	}
	n, err := strconv.ParseInt(u, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid -size %q: use e.g. 100MB", s)
	}
	return n * mult, nil
}
