package emulator

import (
	"context"
	"fmt"
	"net/http"
)

// worklistStore holds PT_WORKLIST entries (being built: see issue 8).
type worklistStore struct{}

func newWorklistStore() *worklistStore { return &worklistStore{} }

func (s *Server) worklistHandler(op *Operation) (handlerFunc, error) {
	name := op.Name
	return func(context.Context, *Call) (*Result, error) {
		return nil, fmt.Errorf("operation %s: PT_WORKLIST handlers are not available yet", name)
	}, nil
}

func (s *Server) worklistAdmin(w http.ResponseWriter, r *http.Request) {
	http.NotFound(w, r)
}

func (s *Server) serviceListening(w http.ResponseWriter, r *http.Request) {
	http.NotFound(w, r)
}
