package models

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// MaxLookupBytes caps a CSV lookup the commands read next to the models (the analyst feedback
// lookup): 64 MiB is ~500,000 verdicts, far more than a SOC writes, and small enough that a
// lookup replaced by something huge cannot exhaust the search's memory.
const MaxLookupBytes = 64 << 20

// validLookupBase reports whether base matches ^[A-Za-z_][A-Za-z0-9_.-]*$ (by hand: package
// regexp would cost the shipped binary ~150 KB for this one pattern).
func validLookupBase(base string) bool {
	for i := 0; i < len(base); i++ {
		c := base[i]
		switch {
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return base != ""
}

// LookupPath is the file of lookup name in the store's folder: name or name.csv, never a path.
func (s Store) LookupPath(name string) (string, error) {
	base := strings.TrimSuffix(name, ".csv")
	if !validLookupBase(base) || strings.Contains(base, "..") {
		return "", fmt.Errorf("lookup name %q: use letters, digits, '_', '-' and '.', no folders", name)
	}
	return filepath.Join(s.Dir, base+".csv"), nil
}

// ReadLookup returns the content of lookup name (a CSV in the store's folder) with the same
// safety as a model load: a regular file inside the folder (a symlink must resolve inside it),
// at most MaxLookupBytes. A missing lookup is fs.ErrNotExist, wrapped.
func (s Store) ReadLookup(name string) ([]byte, error) {
	path, err := s.LookupPath(name)
	if err != nil {
		return nil, err
	}
	ls := s
	ls.MaxBytes = MaxLookupBytes
	data, err := ls.read(path)
	if err != nil {
		return nil, fmt.Errorf("lookup %q (%s): %w", name, path, err)
	}
	return data, nil
}

// WriteLookup replaces lookup name with data atomically (temporary file in the same folder,
// synced, renamed), as Save does for models: a concurrent reader sees the old or the new file.
func (s Store) WriteLookup(name string, data []byte) error {
	path, err := s.LookupPath(name)
	if err != nil {
		return err
	}
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("lookup %q (%s): %w: it is a %s", name, path, ErrModelFile, kind(st.Mode()))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	tmp, err := os.CreateTemp(s.Dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	return nil
}

// Lookup writers' lock. Two analysts recording verdicts at the same moment each read the lookup,
// add a row and rename their copy over it: without a lock the second rename drops the first
// verdict. UpdateLookup serialises writers of one lookup with a lock file created exclusively
// (O_EXCL works on every platform and file system Splunk runs on, unlike flock on NFS), held for
// the few milliseconds of read, modify and rename. Readers need no lock: the rename is atomic.
// lockWait is how long a writer waits for another's lock before it gives up with an error the
// analyst can act on (a verdict is never dropped silently); a variable so tests can shorten it.
var lockWait = 10 * time.Second

const (
	// lockStale is the age after which a lock is a leftover of a killed writer and is broken: a
	// live writer holds it for milliseconds.
	lockStale = 30 * time.Second
)

// lockPoll is the pause between attempts to take a held lock; a variable so tests can shorten it.
var lockPoll = 20 * time.Millisecond

// UpdateLookup replaces lookup name with update(current): current is nil and exists false when
// the lookup does not exist. Concurrent UpdateLookup calls on one lookup, from any number of
// processes, apply one after the other, so none is lost; the write itself is WriteLookup's.
func (s Store) UpdateLookup(name string, update func(current []byte, exists bool) ([]byte, error)) error {
	path, err := s.LookupPath(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	unlock, err := lockFile(path + ".lock.tmp") // .tmp: bundle replication skips it
	if err != nil {
		return fmt.Errorf("lookup %q: %w", name, err)
	}
	defer unlock()
	cur, err := s.ReadLookup(name)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	data, err := update(cur, exists)
	if err != nil {
		return err
	}
	return s.WriteLookup(name, data)
}

// lockFile takes the lock file at path, waiting up to lockWait and breaking a lock older than
// lockStale; the returned func releases it.
func lockFile(path string) (func(), error) {
	deadline := time.Now().Add(lockWait)
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			fmt.Fprintf(f, "pid %d\n", os.Getpid())
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if st, serr := os.Stat(path); serr == nil && time.Since(st.ModTime()) > lockStale {
			os.Remove(path) // a killed writer's leftover; if two break it at once, O_EXCL picks one
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("another writer has held %s for more than %s; retry, or remove the file if no search is writing this lookup", path, lockWait)
		}
		time.Sleep(lockPoll)
	}
}
