// Package all registers every algorithm: import it for its side effect,
//
//	import _ "awsrisk/models/all"
//
// so that `fit <Algorithm>` and saved models of every algorithm work. A new algorithm package is
// added here, once.
package all

import (
	_ "awsrisk/models/catoutlier"
	_ "awsrisk/models/density"
	_ "awsrisk/models/identity"
	_ "awsrisk/models/incidenthistory"
	_ "awsrisk/models/linreg"
	_ "awsrisk/models/sequence"
)
