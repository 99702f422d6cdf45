package main

import (
	"strconv"

	"awsrisk/app"
	"awsrisk/scorer"
)

type applyHandler struct{ s *scorer.Scorer }

// newApply loads the model once per process, at getinfo, so that its fields can be declared:
// splunkd then sends only those fields plus _chunked_idx and merges our columns back into the full
// events ("selected-fields mode", scp-v2.md §4.3). apply is streaming, so it runs on the indexers.
func (e *env) newApply(cmd *app.Command, info *app.GetInfo) (app.Handler, *app.Reply, error) {
	if err := checkParams(cmd, "explain"); err != nil {
		return nil, nil, err
	}
	opt := scorer.Options{Output: cmd.As}
	if v, ok := cmd.Params["explain"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 20 {
			return nil, nil, &app.SyntaxError{Sub: cmd.Sub, Token: "explain=" + v, Msg: "explain must be a number of reasons from 0 to 20"}
		}
		opt.Explain = n
	}
	f, err := e.store.Load(cmd.Model)
	if err != nil {
		return nil, nil, err
	}
	s, err := scorer.New(f, opt)
	if err != nil {
		return nil, nil, err
	}
	return &applyHandler{s: s}, &app.Reply{Type: app.TypeStreaming, RequiredFields: s.RequiredFields()}, nil
}

func (h *applyHandler) Execute(in *app.Table, finished bool, out *app.Output) error {
	if err := h.s.Score(in, out); err != nil {
		return err
	}
	if finished {
		h.s.Report(out)
	}
	return nil
}
