package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Model files. A model is one JSON document in the app's lookups/ folder, because Splunk's knowledge
// bundle replicates lookups/ to the indexers where `awsrisk apply` streams (scp-v2.md §5 item 5);
// its temporary files end in .tmp, which the bundle excludes.
const (
	FileFormat  = "awsrisk-model" // the "format" key: tells our files from other JSON lookups
	FileVersion = 1               // bump on an incompatible change; Load refuses newer files
	filePrefix  = "__awsrisk_"    // like MLTK's __mlspl_ so Settings > Lookups lists them together
	fileSuffix  = ".json"
)

// Errors a Store returns, wrapped with the model name and path.
var (
	ErrNoModel     = errors.New("model does not exist")
	ErrCorrupt     = errors.New("model file is corrupt or truncated")
	ErrNewerFormat = errors.New("model file was written by a newer awsrisk")
)

// File is a saved model: a readable header plus the algorithm's own body.
type File struct {
	Format     string            `json:"format"`
	Version    int               `json:"version"`
	Name       string            `json:"name"`
	Algorithm  string            `json:"algorithm"`
	Created    time.Time         `json:"created"`
	Owner      string            `json:"owner"`
	App        string            `json:"app"`
	Sharing    string            `json:"sharing"`
	Target     string            `json:"target,omitempty"`
	Features   []string          `json:"features"`
	By         []string          `json:"by,omitempty"`
	Options    map[string]string `json:"options,omitempty"`
	OutputName string            `json:"output_name,omitempty"`
	Rows       int64             `json:"rows"`
	Body       json.RawMessage   `json:"model"`
}

// Store reads and writes model files in one folder.
type Store struct{ Dir string }

// Path is the file of model name.
func (s Store) Path(name string) string { return filepath.Join(s.Dir, filePrefix+name+fileSuffix) }

// Save writes f atomically: a temporary file in the same folder, synced, then renamed over the old
// model, so a concurrent apply reads either the old or the new model, never half of one.
func (s Store) Save(f *File) error {
	f.Format, f.Version = FileFormat, FileVersion
	data, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return fmt.Errorf("encode model %q: %w", f.Name, err)
	}
	data = append(data, '\n')
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		return fmt.Errorf("save model %q: %w", f.Name, err)
	}
	tmp, err := os.CreateTemp(s.Dir, filePrefix+f.Name+".*.tmp")
	if err != nil {
		return fmt.Errorf("save model %q: %w", f.Name, err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save model %q: %w", f.Name, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save model %q: %w", f.Name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save model %q: %w", f.Name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("save model %q: %w", f.Name, err)
	}
	if err := os.Rename(tmp.Name(), s.Path(f.Name)); err != nil {
		return fmt.Errorf("save model %q: %w", f.Name, err)
	}
	return nil
}

// Load reads model name.
func (s Store) Load(name string) (*File, error) {
	path := s.Path(name)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: model %q (looked for %s); list the models with | awsrisk listmodels", ErrNoModel, name, path)
	}
	if err != nil {
		return nil, fmt.Errorf("load model %q: %w", name, err)
	}
	f, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("load model %q from %s: %w", name, path, err)
	}
	return f, nil
}

// Decode parses a model file's bytes and checks its format and version.
func Decode(data []byte) (*File, error) {
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w (%v); retrain it with | awsrisk fit ... into <name>", ErrCorrupt, err)
	}
	if f.Format != FileFormat {
		return nil, fmt.Errorf("%w: format is %q, want %q", ErrCorrupt, f.Format, FileFormat)
	}
	if f.Version > FileVersion {
		return nil, fmt.Errorf("%w (file version %d, this binary reads up to %d): upgrade the awsrisk app on this host", ErrNewerFormat, f.Version, FileVersion)
	}
	if f.Version < 1 || len(f.Body) == 0 {
		return nil, fmt.Errorf("%w: version %d, %d-byte model body", ErrCorrupt, f.Version, len(f.Body))
	}
	return &f, nil
}

// Delete removes model name.
func (s Store) Delete(name string) error {
	err := os.Remove(s.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: model %q", ErrNoModel, name)
	}
	if err != nil {
		return fmt.Errorf("delete model %q: %w", name, err)
	}
	return nil
}

// Listed is one entry of List: the model, or the error that kept it from loading (MLTK lists
// models that fail to load too, with a warning).
type Listed struct {
	Name string
	File *File
	Err  error
}

// List returns every model in the folder, sorted by name.
func (s Store) List() ([]Listed, error) {
	paths, err := filepath.Glob(filepath.Join(s.Dir, filePrefix+"*"+fileSuffix))
	if err != nil {
		return nil, fmt.Errorf("list models in %s: %w", s.Dir, err)
	}
	sort.Strings(paths)
	out := make([]Listed, 0, len(paths))
	for _, p := range paths {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), filePrefix), fileSuffix)
		f, err := s.Load(name)
		out = append(out, Listed{Name: name, File: f, Err: err})
	}
	return out, nil
}
