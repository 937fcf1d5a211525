//go:build !ledger_norequestid && !ledger_nometrics && !ledger_nolog && !ledger_nodisconnect && !ledger_nocsrf && !ledger_nobodygate && !ledger_nocors && !ledger_nobreaker && !ledger_noheaders && !ledger_norevocation

package ledger

import "testing"

// Without any ledger_* tag (every real build) nothing is left out.
func TestRealBuildLeavesNothingOut(t *testing.T) {
	for name, off := range map[string]bool{
		"NoRequestID": NoRequestID, "NoMetrics": NoMetrics, "NoLog": NoLog, "NoDisconnect": NoDisconnect,
		"NoCSRF": NoCSRF, "NoBodyGate": NoBodyGate, "NoCORS": NoCORS, "NoBreaker": NoBreaker,
		"NoHeaders": NoHeaders, "NoRevocation": NoRevocation,
	} {
		if off {
			t.Errorf("%s is true in a build without ledger tags", name)
		}
	}
}
