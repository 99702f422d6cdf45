// Package cputime is a benchmark helper: throughput per second of CPU time, beside the
// wall-clock MB/s that testing reports. Only benchmarks import it.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Timer reports a benchmark's throughput per second of CPU time the process used
// (user+system, from getrusage). On a machine shared with other work the wall clock counts the
// time spent waiting for a core; CPU time does not, so with GOMAXPROCS=1 (-cpu 1) "MB/cpu-s" is
// the one-core speed even under load.
type Timer struct{ start time.Duration }

// Now is the CPU time the process has used so far (0 if getrusage fails).
func Now() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Start starts a Timer; call it after the benchmark's setup.
func Start() Timer { return Timer{Now()} }

// Report adds the "MB/cpu-s" metric for b.N operations of bytes each.
func (t Timer) Report(b *testing.B, bytes int) {
	if d := Now() - t.start; d > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/1e6/d.Seconds(), "MB/cpu-s")
	}
}
