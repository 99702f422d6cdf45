package models

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRiskScore(t *testing.T) {
	for _, c := range []struct {
		y    float64
		want int
	}{{-5, 0}, {0, 0}, {0.4, 0}, {0.5, 1}, {49.6, 50}, {100, 100}, {250, 100}} {
		require.Equal(t, c.want, RiskScore(c.y), "y=%v", c.y)
	}
}

func TestReason(t *testing.T) {
	require.Equal(t, "eventName=StopLogging +38", FormatReason("eventName", "StopLogging", 37.6))
	require.Equal(t, "ct_mfa=0 -4", FormatReason("ct_mfa", "0", -4.2))
	long := FormatReason("userAgent", fmt.Sprintf("%0100d", 0), 12)
	require.Contains(t, long, "…")
	require.Less(t, len([]rune(long)), 90)
}

// TestRiskScoreIsRound holds RiskScore's fast rounding to round(clamp(y, 0, 100)) at the halves
// and their neighbours, where a shortcut such as int(y+0.5) goes wrong (0.49999999999999994).
func TestRiskScoreIsRound(t *testing.T) {
	for k := 0; k <= 200; k++ {
		h := float64(k) / 2
		for _, y := range []float64{h, math.Nextafter(h, 0), math.Nextafter(h, 200), h + 0.25} {
			want := int(math.Round(math.Min(math.Max(y, 0), 100)))
			require.Equal(t, want, RiskScore(y), "y=%v", y)
		}
	}
}
