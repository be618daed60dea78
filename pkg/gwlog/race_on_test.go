//go:build race

package gwlog

// raceEnabled makes the long tests smaller under the race detector, which
// slows byte loops tenfold.
const raceEnabled = true
