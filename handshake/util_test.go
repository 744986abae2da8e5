package handshake

import "testing"

// skipIfRace skips allocation counts, which the race detector changes.
func skipIfRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("allocation counts differ under the race detector")
	}
}
