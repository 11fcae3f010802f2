package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"net/http"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Request validation is openapi3filter.ValidateRequest, remembered per
// operation for the requests it accepted.
//
// Why: for an OpenAPI 3.1 document (Datafold) kin-openapi v0.152 validates
// every parameter and body with its JSON Schema 2020-12 validator, which it
// builds anew for each value (marshal the schema, compile it, check it
// against the meta-schema), and it has no option to keep one; that was most
// of the cost of a sandbox request once answers were cheap. Validation is a
// pure function of the operation and the parts of the request it reads
// (ValidateRequest with SkipSettingDefaults and NoopAuthenticationFunc does
// not modify the request), so an accepted request's fingerprint is enough to
// accept the same request again, with the same result. Rejected requests are
// always validated in full: their errors are built from openapi3filter's.

// validationMemoSize bounds the accepted fingerprints kept per operation:
// at most 256 entries of 32 bytes.
const validationMemoSize = 256

// opValidation is what an operation's request validation reads, worked out
// when the spec is loaded, plus the fingerprints of accepted requests.
type opValidation struct {
	pathNames   []string // path template variables, in order
	headerNames []string // canonical names of header parameters
	cookies     bool     // some parameter is a cookie
	body        bool     // the operation declares a request body

	accepted memo[[sha256.Size]byte, struct{}]
}

func newOpValidation(path string, item *openapi3.PathItem, op *openapi3.Operation) *opValidation {
	v := &opValidation{body: op.RequestBody != nil}
	v.accepted.max = validationMemoSize
	for _, m := range pathVarRE().FindAllStringSubmatch(path, -1) {
		v.pathNames = append(v.pathNames, m[1])
	}
	for _, params := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range params {
			if p == nil || p.Value == nil {
				continue
			}
			switch p.Value.In {
			case openapi3.ParameterInHeader:
				v.headerNames = append(v.headerNames, http.CanonicalHeaderKey(p.Value.Name))
			case openapi3.ParameterInCookie:
				v.cookies = true
			}
		}
	}
	return v
}

// validate validates in (whose request body reads as raw) like
// openapi3filter.ValidateRequest, which it calls unless the same request was
// accepted before.
func (v *opValidation) validate(ctx context.Context, in *openapi3filter.RequestValidationInput, raw []byte) error {
	key := v.fingerprint(in, raw)
	if _, ok := v.accepted.load(key); ok {
		return nil
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return err
	}
	v.accepted.store(key, struct{}{})
	return nil
}

// pathVarRE finds the variables of a path template.
var pathVarRE = lazyRegexp(`\{([^}]+)\}`)

var fingerprintBufs = sync.Pool{New: func() any { return new([]byte) }}

// fingerprint hashes every part of the request ValidateRequest can read for
// this operation: path parameters, the raw query, header and cookie
// parameters, and the Content-Type and body when a body is declared. Each
// part is length-prefixed, so different requests cannot run together into
// the same input.
func (v *opValidation) fingerprint(in *openapi3filter.RequestValidationInput, raw []byte) [sha256.Size]byte {
	bp := fingerprintBufs.Get().(*[]byte)
	b := (*bp)[:0]
	put := func(present bool, s string) {
		flag := byte(0)
		if present {
			flag = 1
		}
		b = append(b, flag)
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	putAll := func(vals []string) {
		put(vals != nil, "")
		b = binary.AppendUvarint(b, uint64(len(vals)))
		for _, s := range vals {
			put(true, s)
		}
	}
	for _, name := range v.pathNames {
		val, ok := in.PathParams[name]
		put(ok, val)
	}
	r := in.Request
	put(true, r.URL.RawQuery)
	for _, name := range v.headerNames {
		putAll(r.Header[name])
	}
	if v.cookies {
		putAll(r.Header["Cookie"])
	}
	if v.body {
		putAll(r.Header["Content-Type"])
		b = binary.AppendUvarint(b, uint64(len(raw)))
		b = append(b, raw...)
	}
	sum := sha256.Sum256(b)
	if cap(b) <= 64<<10 { // do not keep huge bodies' buffers around
		*bp = b
		fingerprintBufs.Put(bp)
	}
	return sum
}
