package models

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// RiskScore maps a prediction to Splunk's 0..100 risk scale: round(clamp(y, 0, 100)).
func RiskScore(y float64) int {
	switch {
	case math.IsNaN(y) || y <= 0:
		return 0
	case y >= 100:
		return 100
	}
	// math.Round(y) for 0 < y < 100, without its bit manipulation (called per event and model):
	// the truncation and the fraction y−n are exact there; half rounds up, as in math.Round.
	n := int(y)
	if y-float64(n) >= 0.5 {
		n++
	}
	return n
}

// FormatReason renders one contribution: `eventName=StopLogging +38`. Long values (user agents) are
// shortened so a dashboard cell stays readable. It is built in one allocation (score shows the
// reasons of every risky event; fmt.Sprintf cost several).
func FormatReason(field, value string, points float64) string {
	const maxValue = 60 // characters of a value shown in a reason
	if len(value) > maxValue && utf8.RuneCountInString(value) > maxValue {
		r := []rune(value)
		value = string(r[:maxValue]) + "…"
	}
	sign := " +"
	if points < 0 {
		sign = " -"
		points = -points
	}
	var num [32]byte
	return field + "=" + value + sign + string(strconv.AppendFloat(num[:0], math.Round(points), 'f', -1, 64))
}

// AppendReason appends FormatReason(field, value, points) to dst without building the string:
// score writes the reasons of a risky event straight into its risk_message.
func AppendReason(dst []byte, field, value string, points float64) []byte {
	if len(value) > 60 { // possibly shortened: rare, and FormatReason knows how
		return append(dst, FormatReason(field, value, points)...)
	}
	dst = append(dst, field...)
	dst = append(dst, '=')
	dst = append(dst, value...)
	if points < 0 {
		dst = append(dst, " -"...)
		points = -points
	} else {
		dst = append(dst, " +"...)
	}
	// 0 < points < 2^52: math.Round as RiskScore does it (the truncation and the fraction are
	// exact there), and an integer prints as its digits in 'f' form. ±0, NaN and the rest go to
	// strconv ("-0" is not "0").
	if points > 0 && points < 1<<52 {
		n := int64(points)
		if points-float64(n) >= 0.5 {
			n++
		}
		if n < 10 {
			return append(dst, byte('0'+n))
		}
		return strconv.AppendInt(dst, n, 10)
	}
	return strconv.AppendFloat(dst, math.Round(points), 'f', -1, 64)
}
