// Command psib is a command-line tool for PeopleSoft Integration Broker:
// synchronous posts, asynchronous publishes, gateway log decoding, rowset
// linting, PT_WORKLIST calls and a local gateway emulator.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], systemStreams(), os.LookupEnv))
}
