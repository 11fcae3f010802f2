package diff

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// A warehouse diff still running after the wait answers a handle, and
// get_diff_result takes it back. The handle describes the diff itself: a
// job id and the request (sides, key, columns, tolerances), so that any
// server process can answer it without sticky sessions. The one holding
// the job (running, or its result still kept) answers from it; any other
// (another replica, the same one after a restart, or once the result was
// dropped) runs the diff again and says so. Nothing in a handle is
// trusted: it names configured warehouse connections only (never a host
// or credential), and its request is validated exactly like diff_tables'
// arguments, filters re-classified, before anything runs.

// handlePrefix marks a handle and its format's version.
const handlePrefix = "wh1."

// maxHandle bounds the handles decoded (a request with long filters is a
// few KiB).
const maxHandle = 16 << 10

// handleBody is what a handle encodes.
type handleBody struct {
	// ID names the job on the server that started it.
	ID string `json:"id"`
	// Args are diff_tables' arguments, b's defaults filled in.
	Args DiffArgs `json:"args"`
}

// newJobID is a random job id: unguessable, so a handle names one job.
func newJobID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// encodeHandle is the handle of job id running args.
func encodeHandle(id string, args DiffArgs) string {
	b, _ := json.Marshal(handleBody{ID: id, Args: args})
	return handlePrefix + base64.RawURLEncoding.EncodeToString(b)
}

// requestKey is the request a job runs, comparable across handles: two
// handles of one job carry the same key.
func requestKey(args DiffArgs) string {
	b, _ := json.Marshal(args)
	return string(b)
}

// decodeHandle reads a handle; the error says what is wrong with it.
func decodeHandle(h string) (handleBody, error) {
	var body handleBody
	h = strings.TrimSpace(h)
	switch {
	case len(h) > maxHandle:
		return body, fmt.Errorf("it is longer than any handle diff_tables gives")
	case !strings.HasPrefix(h, handlePrefix):
		return body, fmt.Errorf("it does not start with %q", handlePrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(h[len(handlePrefix):])
	if err != nil {
		return body, fmt.Errorf("it is not the encoding diff_tables uses")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		return body, fmt.Errorf("it does not describe a diff")
	}
	if len(body.ID) != 24 || strings.Trim(body.ID, "0123456789abcdef") != "" {
		return body, fmt.Errorf("its job id is not one diff_tables makes")
	}
	return body, nil
}
