package models

import (
	"fmt"
	"math"
	"strconv"
	"strings"
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

// TestFormatReasonAsSprintf holds FormatReason to the fmt.Sprintf form it replaced, on signs,
// roundings, values at the shortening limit and multi-byte values.
func TestFormatReasonAsSprintf(t *testing.T) {
	old := func(field, value string, points float64) string {
		if r := []rune(value); len(r) > 60 {
			value = string(r[:60]) + "…"
		}
		sign := "+"
		if points < 0 {
			sign, points = "-", -points
		}
		return fmt.Sprintf("%s=%s %s%s", field, value, sign, strconv.FormatFloat(math.Round(points), 'f', -1, 64))
	}
	for _, v := range []string{"", "x", strings.Repeat("a", 60), strings.Repeat("a", 61), strings.Repeat("é", 60), strings.Repeat("é", 61), strings.Repeat("é", 31)} {
		for _, p := range []float64{0, math.Copysign(0, -1), 0.4, 0.5, -0.4, -0.5, 37.6, -4.2, 1e6, 2.5, 1 << 53, -(1 << 60), math.Inf(1), math.NaN(),
			9.5, -9.5, 99.49999999999999, 0.49999999999999994, 1<<52 - 0.5, 1 << 52, 1<<52 + 1, 4503599627370495.5} {
			require.Equal(t, old("f", v, p), FormatReason("f", v, p), "%q %v", v, p)
			require.Equal(t, old("f", v, p), string(AppendReason([]byte("x"), "f", v, p)[1:]), "AppendReason %q %v", v, p)
		}
	}
}
