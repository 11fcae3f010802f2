package sandbox

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The demo files are the same bytes in every process of the same code, and
// writing them costs a few seconds of CPU (every test process and every
// --sandbox start that touches the engine paid it). So, by default, they
// are kept in the user's cache directory under a name that is a digest of
// what they hold: each table's name, columns, types and key, and every
// value its rows generate. Code that generates other rows names other
// files, so a kept file is never stale; a process finds the file of its
// own rows or writes it (to a temporary name, renamed into place, so a
// reader never sees half a file and writers racing each other agree).

// demoCacheDir is where demo files are kept across processes, "" when the
// user has no usable cache directory (the per-process directory serves).
func demoCacheDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	dir := filepath.Join(base, "datastack-mcp", "sandbox")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return dir
}

// demoDigest names what database name holds: a digest of its tables'
// layout and of every value their rows generate in env.
func demoDigest(tables []*table, env int) string {
	h := sha256.New()
	var buf [8]byte
	for _, t := range tables {
		fmt.Fprintf(h, "table %s pk %s\n", t.sqlName(), t.PK)
		for _, c := range t.Columns {
			fmt.Fprintf(h, "col %s %s\n", c.Name, sqliteType(c.Type))
		}
		for _, i := range t.rows(env) {
			for _, c := range t.Columns {
				digestValue(h, &buf, c.gen(env, i))
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// digestValue writes v to h, tagged by its kind so that 1 and "1" differ.
func digestValue(h hash.Hash, buf *[8]byte, v any) {
	put := func(tag byte, u uint64) {
		h.Write([]byte{tag})
		binary.LittleEndian.PutUint64(buf[:], u)
		h.Write(buf[:])
	}
	switch x := v.(type) {
	case nil:
		h.Write([]byte{0})
	case int:
		put(1, uint64(x))
	case int64:
		put(1, uint64(x))
	case float64:
		put(2, math.Float64bits(x))
	case bool:
		if x {
			put(3, 1)
		} else {
			put(3, 0)
		}
	case string:
		put(4, uint64(len(x)))
		h.Write([]byte(x))
	case time.Time:
		put(5, uint64(x.UnixNano()))
		h.Write([]byte(x.Location().String()))
	default:
		s := fmt.Sprintf("%T %v", v, v)
		put(6, uint64(len(s)))
		h.Write([]byte(s))
	}
}

// cachedDemoDB returns the kept file of database name holding tables in
// env, writing it first when no process has.
func cachedDemoDB(dir, name string, tables []*table, env int) (string, error) {
	p := filepath.Join(dir, name+"-"+demoDigest(tables, env)+".db")
	if st, err := os.Stat(p); err == nil && st.Size() > 0 {
		return p, nil
	}
	tmp, err := os.CreateTemp(dir, name+"-*.tmp")
	if err != nil {
		return "", err
	}
	tmp.Close()
	if err := writeDemoDB(tmp.Name(), tables, env); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		if _, serr := os.Stat(p); serr != nil {
			return "", err
		}
	}
	removeOtherDemoDBs(dir, name, filepath.Base(p))
	return p, nil
}

// removeOtherDemoDBs removes the kept files of database name that other
// rows (older code) wrote, and temporary files left by killed writers an
// hour ago or more.
func removeOtherDemoDBs(dir, name, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, name+"-") || n == keep {
			continue
		}
		if strings.HasSuffix(n, ".db") {
			os.Remove(filepath.Join(dir, n))
			continue
		}
		if info, err := e.Info(); err == nil && strings.HasSuffix(n, ".tmp") && time.Since(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, n))
		}
	}
}
