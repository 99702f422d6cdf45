package models

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLookupFiles: lookups are files of the model folder only, written atomically and read with
// the model file safety (regular file, inside the folder, capped).
func TestLookupFiles(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	for _, bad := range []string{"", "../x", "a/b", "/etc/passwd", "..", "a..b", ".hidden"} {
		_, err := s.LookupPath(bad)
		require.Error(t, err, "%q", bad)
	}
	p, err := s.LookupPath("awsrisk_feedback.csv")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(s.Dir, "awsrisk_feedback.csv"), p)

	_, err = s.ReadLookup("awsrisk_feedback")
	require.True(t, errors.Is(err, fs.ErrNotExist), "a missing lookup is ErrNotExist: %v", err)
	require.NoError(t, s.WriteLookup("awsrisk_feedback", []byte("a,b\n1,2\n")))
	require.NoError(t, s.WriteLookup("awsrisk_feedback", []byte("a,b\n3,4\n")))
	got, err := s.ReadLookup("awsrisk_feedback")
	require.NoError(t, err)
	require.Equal(t, "a,b\n3,4\n", string(got))
	entries, err := os.ReadDir(s.Dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")

	big := Store{Dir: s.Dir}
	f, err := os.Create(filepath.Join(s.Dir, "big.csv"))
	require.NoError(t, err)
	require.NoError(t, f.Truncate(MaxLookupBytes+1))
	require.NoError(t, f.Close())
	_, err = big.ReadLookup("big")
	require.ErrorContains(t, err, "cap")

	require.NoError(t, os.Mkdir(filepath.Join(s.Dir, "dir.csv"), 0o755))
	_, err = s.ReadLookup("dir")
	require.ErrorIs(t, err, ErrModelFile)
	require.ErrorIs(t, s.WriteLookup("dir", []byte("x")), ErrModelFile)
}

// TestUpdateLookupConcurrent: writers racing on one lookup each keep their row (without the lock
// a read-modify-rename loses all but the last), and leave no lock or temporary file behind.
func TestUpdateLookupConcurrent(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- s.UpdateLookup("fb", func(cur []byte, exists bool) ([]byte, error) {
				if !exists {
					cur = []byte("n\n")
				}
				time.Sleep(time.Millisecond) // widen the read-modify-write window
				return fmt.Appendf(cur, "%d\n", i), nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got, err := s.ReadLookup("fb")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(got)), "\n")
	require.Equal(t, "n", lines[0])
	slices.Sort(lines[1:])
	want := make([]string, writers)
	for i := range writers {
		want[i] = strconv.Itoa(i)
	}
	slices.Sort(want)
	require.Equal(t, want, lines[1:], "every writer's row is kept")
	entries, err := os.ReadDir(s.Dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the lookup remains: %v", entries)
}

// TestUpdateLookupLock: a live writer's lock makes the next writer wait and then fail with an
// error naming the lock file (nothing written); a killed writer's stale lock is broken; an
// error from the update writes nothing.
func TestUpdateLookupLock(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	oldWait, oldPoll := lockWait, lockPoll
	lockWait, lockPoll = 50*time.Millisecond, 5*time.Millisecond
	t.Cleanup(func() { lockWait, lockPoll = oldWait, oldPoll })
	path, err := s.LookupPath("fb")
	require.NoError(t, err)
	lock := path + ".lock.tmp"
	require.NoError(t, os.WriteFile(lock, []byte("pid 1\n"), 0o644))
	add := func(cur []byte, _ bool) ([]byte, error) { return append(cur, "x\n"...), nil }

	err = s.UpdateLookup("fb", add)
	require.ErrorContains(t, err, lock)
	require.ErrorContains(t, err, "retry")
	_, err = s.ReadLookup("fb")
	require.ErrorIs(t, err, fs.ErrNotExist, "a writer that could not lock writes nothing")

	old := time.Now().Add(-2 * lockStale)
	require.NoError(t, os.Chtimes(lock, old, old))
	require.NoError(t, s.UpdateLookup("fb", add), "a stale lock is broken")
	_, err = os.Stat(lock)
	require.ErrorIs(t, err, fs.ErrNotExist, "the lock is released")

	boom := errors.New("bad lookup")
	require.ErrorIs(t, s.UpdateLookup("fb", func([]byte, bool) ([]byte, error) { return nil, boom }), boom)
	got, err := s.ReadLookup("fb")
	require.NoError(t, err)
	require.Equal(t, "x\n", string(got))
	_, err = os.Stat(lock)
	require.ErrorIs(t, err, fs.ErrNotExist, "released after a failed update too")
}

// TestLookupNameShape holds validLookupBase to the pattern it replaces.
func TestLookupNameShape(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*$`)
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "aZ_09.-/ é"
	for _, s := range []string{"", "a", "_", "9", "-a", ".a", "a.b-c_9", "a/b", "a b"} {
		require.Equal(t, re.MatchString(s), validLookupBase(s), "%q", s)
	}
	for range 20000 {
		b := make([]byte, r.IntN(7))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		require.Equal(t, re.MatchString(string(b)), validLookupBase(string(b)), "%q", b)
	}
}
