package features

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OptionsFromParams reads the SPL parameters that configure the derivation, starting from
// DefaultOptions:
//
//	tz=America/New_York     the business timezone (IANA name) for ct_hour_local, ct_off_hours...
//	business_hours=8-18     local business hours, start inclusive, end exclusive (22-6 wraps midnight)
//
// Other keys are ignored, so fit and apply can pass all of their parameters.
func OptionsFromParams(params map[string]string) (Options, error) {
	o := DefaultOptions()
	if tz, ok := params["tz"]; ok && tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return o, fmt.Errorf("tz=%q is not a timezone name such as UTC or Europe/Berlin: %w", tz, err)
		}
		o.Location = loc
	}
	if bh, ok := params["business_hours"]; ok && bh != "" {
		a, b, found := strings.Cut(bh, "-")
		start, err1 := strconv.Atoi(strings.TrimSpace(a))
		end, err2 := strconv.Atoi(strings.TrimSpace(b))
		if !found || err1 != nil || err2 != nil || start < 0 || start > 23 || end < 0 || end > 24 {
			return o, fmt.Errorf("business_hours=%q: want <start>-<end> in local hours, e.g. 8-18", bh)
		}
		o.BusinessStart, o.BusinessEnd = start, end
	}
	return o, nil
}
