//go:build ignore

// Command gen-pgnode writes sqlast/pgnode/pg_query.pb.go, Go types for
// PostgreSQL's parse tree as libpg_query serialises it (protobuf), and
// copies sqlast/internal/pgwasm/libpg_query.wasm, the parser that answers
// in that encoding, so that this module owns both and imports neither
// github.com/pganalyze/pg_query_go nor github.com/wasilibs/go-pgquery.
//
// Why: pg_query_go's package builds the whole libpg_query C library into
// the binary whenever cgo is available, next to the WebAssembly copy that
// github.com/wasilibs/go-pgquery actually runs. Linking it made the default
// build need a C compiler, made the first build slow, and cost about 16 MB
// of peak RSS (file-backed pages of the larger binary).
//
// The parser: go-pgquery's WebAssembly build of libpg_query
// (internal/wasm/libpg_query.so of wasmSource). go-pgquery runs it without
// a way to keep the compiled module, which package pgwasm does (a disk
// cache: the first column-level answer no longer pays seconds of compile
// in every process).
//
// Where the schema comes from: libpg_query's pg_query.proto, in the form
// pg_query_go ships it (the serialised descriptor inside its generated
// pg_query.pb.go, from the module proxy like any dependency). The version
// is the one go-pgquery's WebAssembly parser is built from (its C sources
// equal pg_query_go's of that version), so the wire format matches. The
// descriptor is renamed (proto package pgnode, file
// sqlast/pgnode/pg_query.proto) so that it can never clash in the protobuf
// registry with pg_query_go's, and Go code is generated in-process by
// protoc-gen-go's own generator at the google.golang.org/protobuf version of
// go.mod: no protoc is needed.
//
// Run from the module root: go run scripts/gen-pgnode/main.go
// (scripts/gen-pgnode.sh does that).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	gengo "google.golang.org/protobuf/cmd/protoc-gen-go/internal_gengo"
	"google.golang.org/protobuf/compiler/protogen"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// wasmSource is the go-pgquery version whose WebAssembly parser we run;
// source is the pg_query_go release whose schema it speaks (go-pgquery's
// go.mod requires it, and its C sources are that release's: libpg_query
// 17-6.2.2). Move both together.
const (
	wasmSource = "github.com/wasilibs/go-pgquery@v0.0.0-20260728010200-155ebad2880e"
	source     = "github.com/pganalyze/pg_query_go/v6@v6.2.2"
)

const (
	goPackage = "github.com/datastack-mcp/datastack-mcp/sqlast/pgnode;pgnode"
	protoName = "sqlast/pgnode/pg_query.proto"
	out       = "sqlast/pgnode/pg_query.pb.go"
	wasmOut   = "sqlast/internal/pgwasm/libpg_query.wasm"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen-pgnode:", err)
		os.Exit(1)
	}
}

func run() error {
	if err := copyWasm(); err != nil {
		return err
	}
	dir, err := moduleDir(source)
	if err != nil {
		return err
	}
	raw, err := rawDescriptor(filepath.Join(dir, "pg_query.pb.go"))
	if err != nil {
		return err
	}
	fd := &descriptorpb.FileDescriptorProto{}
	if err := proto.Unmarshal(raw, fd); err != nil {
		return fmt.Errorf("descriptor: %w", err)
	}
	if fd.GetPackage() != "pg_query" {
		return fmt.Errorf("descriptor: package %q, want pg_query", fd.GetPackage())
	}
	fd.Name = proto.String(protoName)
	fd.Package = proto.String("pgnode")
	if fd.Options == nil {
		fd.Options = &descriptorpb.FileOptions{}
	}
	fd.Options.GoPackage = proto.String(goPackage)
	// Type references are fully qualified (".pg_query.Node"); follow the rename.
	renameRefs(fd.MessageType)

	gen, err := protogen.Options{}.New(&pluginpb.CodeGeneratorRequest{
		FileToGenerate: []string{protoName},
		ProtoFile:      []*descriptorpb.FileDescriptorProto{fd},
	})
	if err != nil {
		return err
	}
	for _, f := range gen.Files {
		if f.Generate {
			gengo.GenerateFile(gen, f)
		}
	}
	resp := gen.Response()
	if resp.Error != nil {
		return fmt.Errorf("protoc-gen-go: %s", resp.GetError())
	}
	if len(resp.File) != 1 {
		return fmt.Errorf("protoc-gen-go wrote %d files, want 1", len(resp.File))
	}
	header := "// Written by scripts/gen-pgnode.sh from " + source + "'s pg_query.proto descriptor.\n" +
		"// The schema is libpg_query's (BSD 3-clause, see LICENSE in this directory).\n\n"
	code, err := lazyRegistration([]byte(resp.File[0].GetContent()))
	if err != nil {
		return err
	}
	return os.WriteFile(out, append([]byte(header), code...), 0o644)
}

// lazyRegistration makes the generated file register its types with the
// protobuf runtime on first use instead of at package initialisation.
//
// Why: registering 277 messages and 72 enums (protoimpl.TypeBuilder) in
// every process cost about 1 ms of start-up and 2 MB of peak RSS (its
// allocations and the pages of descriptor and type data it touches) in the
// server, which only needs the types once it parses SQL. The generated
// init function becomes a sync.Once, and every function that reads the
// file's message or enum type tables (ProtoReflect, Reset, Descriptor,
// Type: the ways into the protobuf runtime) runs it first.
func lazyRegistration(src []byte) ([]byte, error) {
	const (
		initName = "file_sqlast_pgnode_pg_query_proto_init"
		lazyName = "file_sqlast_pgnode_pg_query_proto_lazyInit"
		initCall = "func init() { " + initName + "() }"
	)
	if bytes.Count(src, []byte(initCall)) != 1 {
		return nil, fmt.Errorf("lazyRegistration: %q not found once", initCall)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	tables := map[string]bool{
		"file_sqlast_pgnode_pg_query_proto_msgTypes":  true,
		"file_sqlast_pgnode_pg_query_proto_enumTypes": true,
	}
	var at []int // offsets just after the opening brace of the functions to change
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || fn.Name.Name == initName || fn.Name.Name == "init" {
			continue
		}
		uses := false
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && tables[id.Name] {
				uses = true
			}
			return !uses
		})
		if uses {
			at = append(at, fset.Position(fn.Body.Lbrace).Offset+1)
		}
	}
	if len(at) == 0 {
		return nil, fmt.Errorf("lazyRegistration: no function reads the type tables")
	}
	var b bytes.Buffer
	last := 0
	for _, off := range at {
		b.Write(src[last:off])
		b.WriteString("\n\t" + lazyName + "()")
		last = off
	}
	b.Write(src[last:])
	lazy := "// The file's types are registered with the protobuf runtime on first use\n" +
		"// (scripts/gen-pgnode: lazyRegistration), not at package initialisation.\n" +
		"var file_sqlast_pgnode_pg_query_proto_once sync.Once\n\n" +
		"func " + lazyName + "() { file_sqlast_pgnode_pg_query_proto_once.Do(" + initName + ") }"
	out := bytes.Replace(b.Bytes(), []byte(initCall), []byte(lazy), 1)
	return format.Source(out)
}

// copyWasm copies go-pgquery's parser, after checking that its go.mod
// requires the pg_query_go release the types are generated from. Only the
// binary is taken: the Go code that runs it is pgwasm's own. The binary's
// origin and licenses are in sqlast/internal/pgwasm/NOTICE; keep its
// versions in step when wasmSource moves.
func copyWasm() error {
	dir, err := moduleDir(wasmSource)
	if err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return err
	}
	path, version, _ := strings.Cut(source, "@")
	if !strings.Contains(string(gomod), path+" "+version+"\n") {
		return fmt.Errorf("%s does not require %s: move source and wasmSource together", wasmSource, source)
	}
	wasm, err := os.ReadFile(filepath.Join(dir, "internal", "wasm", "libpg_query.so"))
	if err != nil {
		return err
	}
	return os.WriteFile(wasmOut, wasm, 0o644)
}

// renameRefs rewrites type names of package pg_query to package pgnode.
func renameRefs(msgs []*descriptorpb.DescriptorProto) {
	for _, m := range msgs {
		for _, f := range m.Field {
			if n := f.GetTypeName(); len(n) > len(".pg_query.") && n[:len(".pg_query.")] == ".pg_query." {
				f.TypeName = proto.String(".pgnode." + n[len(".pg_query."):])
			}
		}
		renameRefs(m.NestedType)
	}
}

// moduleDir downloads mod (through the module proxy, checked against the
// checksum database) and returns its directory.
func moduleDir(mod string) (string, error) {
	tmp, err := os.MkdirTemp("", "gen-pgnode")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Dir = tmp // outside this module, so go.mod and go.sum stay as they are
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go mod download %s: %w", mod, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(b, &info); err != nil {
		return "", err
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", mod, info.Error)
	}
	return info.Dir, nil
}

// rawDescriptor returns the bytes of the serialised file descriptor that a
// protoc-gen-go output file embeds (var file_<name>_rawDesc = []byte{...}
// or = "..." in newer generators).
func rawDescriptor(path string) ([]byte, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			if len(v.Names) != 1 || v.Names[0].Name != "file_pg_query_proto_rawDesc" || len(v.Values) != 1 {
				continue
			}
			return literalBytes(v.Values[0])
		}
	}
	return nil, fmt.Errorf("%s: no file_pg_query_proto_rawDesc", path)
}

// literalBytes evaluates a []byte{0x..., ...} or string literal.
func literalBytes(e ast.Expr) ([]byte, error) {
	switch e := e.(type) {
	case *ast.CompositeLit:
		var buf bytes.Buffer
		for _, el := range e.Elts {
			lit, ok := el.(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				return nil, fmt.Errorf("rawDesc: element %T is not a byte", el)
			}
			n, err := strconv.ParseUint(lit.Value, 0, 8)
			if err != nil {
				return nil, err
			}
			buf.WriteByte(byte(n))
		}
		return buf.Bytes(), nil
	case *ast.BasicLit:
		s, err := strconv.Unquote(e.Value)
		return []byte(s), err
	case *ast.BinaryExpr: // "..." + "..." across lines
		l, err := literalBytes(e.X)
		if err != nil {
			return nil, err
		}
		r, err := literalBytes(e.Y)
		return append(l, r...), err
	}
	return nil, fmt.Errorf("rawDesc: unexpected %T", e)
}
