package pgwasm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Error is PostgreSQL's rejection of the text: a syntax error, say.
type Error struct {
	Message   string // as PostgreSQL words it: syntax error at or near "x"
	Cursorpos int    // 1-based byte offset into the text, 0 when unknown
}

func (e *Error) Error() string { return e.Message }

// Parse returns the parse tree of sql as libpg_query encodes it
// (pg_query_parse_protobuf), or an [*Error] when PostgreSQL rejects it.
func Parse(sql string) ([]byte, error) {
	return with(func(in *instance) ([]byte, error) {
		return in.protobuf(sql, "pg_query_parse_protobuf", "pg_query_free_protobuf_parse_result")
	})
}

// Scan returns the tokens of sql as libpg_query encodes them
// (pg_query_scan), or an [*Error] when the scanner rejects it.
func Scan(sql string) ([]byte, error) {
	return with(func(in *instance) ([]byte, error) {
		return in.protobuf(sql, "pg_query_scan", "pg_query_free_scan_result")
	})
}

// Both functions return, through a pointer passed first, a struct that on
// wasm32 is
//
//	struct {
//		struct { size_t len; char *data; } pbuf;  // offsets 0, 4
//		char *stderr_buffer;                      // 8
//		PgQueryError *error;                      // 12
//	}
//
// and take the text as a NUL-terminated string. PgQueryError is
// { char *message, *funcname, *filename; int lineno, cursorpos; char
// *context; }, of which message (offset 0) and cursorpos (16) are read.
const (
	resultLen, resultData, resultError, resultSize = 0, 4, 12, 16
	errorMessage, errorCursorpos                   = 0, 16
)

var errMemory = errors.New("libpg_query.wasm: pointer outside its memory")

// protobuf runs fn over sql and copies the encoding out before freeing
// the result with freeFn. The result struct and the text share one
// allocation: the struct first, the text after it.
func (in *instance) protobuf(sql, fn, freeFn string) (out []byte, err error) {
	if len(sql) > math.MaxUint32-resultSize-1 {
		return nil, fmt.Errorf("SQL text of %d bytes is too long for the parser", len(sql))
	}
	block, err := in.alloc(uint32(resultSize + len(sql) + 1))
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, in.release(block)) }()
	text := block + resultSize
	if !in.mem.WriteString(text, sql) || !in.mem.WriteByte(text+uint32(len(sql)), 0) {
		return nil, errMemory
	}
	if _, err := in.invoke(fn, uint64(block), uint64(text)); err != nil {
		return nil, err
	}
	defer func() {
		_, freeErr := in.invoke(freeFn, uint64(block))
		err = errors.Join(err, freeErr)
	}()
	res, ok := in.mem.Read(block, resultSize)
	if !ok {
		return nil, errMemory
	}
	if p := binary.LittleEndian.Uint32(res[resultError:]); p != 0 {
		return nil, in.pgError(p)
	}
	data, ok := in.mem.Read(binary.LittleEndian.Uint32(res[resultData:]), binary.LittleEndian.Uint32(res[resultLen:]))
	if !ok {
		return nil, errMemory
	}
	return bytes.Clone(data), nil
}

// pgError reads the PgQueryError at p.
func (in *instance) pgError(p uint32) error {
	msgPtr, ok1 := in.mem.ReadUint32Le(p + errorMessage)
	pos, ok2 := in.mem.ReadUint32Le(p + errorCursorpos)
	msg, ok3 := in.cString(msgPtr)
	if !ok1 || !ok2 || !ok3 {
		return errMemory
	}
	return &Error{Message: msg, Cursorpos: int(int32(pos))}
}

// cString reads the NUL-terminated string at p ("" for NULL).
func (in *instance) cString(p uint32) (string, bool) {
	if p == 0 {
		return "", true
	}
	size := in.mem.Size()
	if p >= size {
		return "", false
	}
	b, _ := in.mem.Read(p, size-p)
	n := bytes.IndexByte(b, 0)
	if n < 0 {
		return "", false
	}
	return string(b[:n]), true
}

// alloc is the module's malloc; a NULL answer is an error.
func (in *instance) alloc(n uint32) (uint32, error) {
	p, err := in.callFn("malloc", in.malloc, uint64(n))
	if err != nil {
		return 0, err
	}
	if p == 0 {
		return 0, fmt.Errorf("libpg_query.wasm: malloc(%d) failed", n)
	}
	return uint32(p), nil
}

// release is the module's free.
func (in *instance) release(p uint32) error {
	_, err := in.callFn("free", in.free, uint64(p))
	return err
}
