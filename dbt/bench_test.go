package dbt

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/datastack-mcp/datastack-mcp/dbt/internal/synth"
	"github.com/datastack-mcp/datastack-mcp/dbt/manifest"
	"github.com/datastack-mcp/datastack-mcp/sqlast"
)

// Benchmarks over a synthetic project of 5,000 models and 100,000 columns
// (package synth): go test ./dbt -run '^$' -bench . -benchtime 200x

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
	benchProj *synth.Project
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// benchArtifacts writes the synthetic project once per test binary.
func benchArtifacts(tb testing.TB) (manifestPath, catalogPath string) {
	tb.Helper()
	benchOnce.Do(func() {
		benchProj = synth.New(synth.Options{})
		benchDir, benchErr = os.MkdirTemp("", "dbt-bench-")
		if benchErr != nil {
			return
		}
		benchErr = writeWith(filepath.Join(benchDir, "manifest.json"), benchProj.WriteManifest)
		if benchErr == nil {
			benchErr = writeWith(filepath.Join(benchDir, "catalog.json"), benchProj.WriteCatalog)
		}
	})
	require.NoError(tb, benchErr)
	return filepath.Join(benchDir, "manifest.json"), filepath.Join(benchDir, "catalog.json")
}

func writeWith(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func benchSnapshot(tb testing.TB) *Snapshot {
	tb.Helper()
	m, c := benchArtifacts(tb)
	p, err := New(Config{Name: "synth", Manifest: m, Catalog: c}, Options{})
	require.NoError(tb, err)
	s, err := p.Snapshot()
	require.NoError(tb, err)
	return s
}

// percentiles reports p50 and p95 of samples in milliseconds.
func percentiles(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	slices.Sort(samples)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(samples[len(samples)/2]), "ms-p50")
	b.ReportMetric(ms(samples[len(samples)*95/100]), "ms-p95")
}

func BenchmarkLoad(b *testing.B) {
	m, c := benchArtifacts(b)
	st, err := os.Stat(m)
	require.NoError(b, err)
	cst, err := os.Stat(c)
	require.NoError(b, err)
	b.SetBytes(st.Size() + cst.Size())
	b.ReportMetric(float64(st.Size())/(1<<20), "MB-manifest")
	var samples []time.Duration
	var cpu time.Duration
	for b.Loop() {
		start, cpu0 := time.Now(), cpuTime()
		_, err := manifest.LoadFiles(m, c)
		samples = append(samples, time.Since(start))
		cpu += cpuTime() - cpu0
		require.NoError(b, err)
	}
	percentiles(b, samples)
	b.ReportMetric(float64(cpu.Milliseconds())/float64(len(samples)), "ms-cpu/op")
}

// cpuTime is the process's user and system CPU time: on a busy machine it
// says what an operation costs when wall time does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStartup runs a fresh process that loads the project and answers
// one column-level question: its peak RSS and timings are those of a
// server starting cold (the SQL grammar compiles while the manifest loads).
func BenchmarkStartup(b *testing.B) {
	m, c := benchArtifacts(b)
	var load, first, parser, rssLoad, rssFirst, rssParser, cpuLoad, cpuFirst, cpuParser []float64
	for b.Loop() {
		for _, mode := range []string{"load", "first", "parser"} {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBenchChild$", "-test.v")
			cmd.Env = append(os.Environ(), "DBT_BENCH_CHILD="+mode, "DBT_BENCH_MANIFEST="+m, "DBT_BENCH_CATALOG="+c)
			out, err := cmd.CombinedOutput()
			require.NoError(b, err, string(out))
			vals := childValues(b, string(out))
			switch mode {
			case "load":
				load, rssLoad, cpuLoad = append(load, vals["ms"]), append(rssLoad, vals["maxrss_mb"]), append(cpuLoad, vals["cpu_ms"])
			case "first":
				first, rssFirst, cpuFirst = append(first, vals["ms"]), append(rssFirst, vals["maxrss_mb"]), append(cpuFirst, vals["cpu_ms"])
			default:
				parser, rssParser, cpuParser = append(parser, vals["ms"]), append(rssParser, vals["maxrss_mb"]), append(cpuParser, vals["cpu_ms"])
			}
		}
	}
	med := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	b.ReportMetric(med(load), "ms-load")
	b.ReportMetric(med(cpuLoad), "ms-cpu-load")
	b.ReportMetric(med(rssLoad), "MB-rss-load")
	b.ReportMetric(med(first), "ms-first-column-answer")
	b.ReportMetric(med(cpuFirst), "ms-cpu-first-column-answer")
	b.ReportMetric(med(rssFirst), "MB-rss-first-column-answer")
	b.ReportMetric(med(parser), "ms-parser-compile")
	b.ReportMetric(med(cpuParser), "ms-cpu-parser-compile")
	b.ReportMetric(med(rssParser), "MB-rss-parser-compile")
}

func childValues(tb testing.TB, out string) map[string]float64 {
	vals := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "BENCH ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(line) {
			k, v, _ := strings.Cut(kv, "=")
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(tb, err, line)
			vals[k] = f
		}
	}
	require.NotEmpty(tb, vals, out)
	return vals
}

// TestBenchChild is BenchmarkStartup's child process; it does nothing in
// a normal test run. Modes: load (the manifest and catalog, no parser),
// first (load, then one model's column lineage: the grammar compiles while
// the manifest loads), parser (only the grammar's compile).
func TestBenchChild(t *testing.T) {
	mode := os.Getenv("DBT_BENCH_CHILD")
	if mode == "" {
		t.Skip("only run by BenchmarkStartup")
	}
	start, cpu0 := time.Now(), cpuTime()
	switch mode {
	case "parser":
		_, err := sqlast.Parse("select 1")
		require.NoError(t, err)
	case "load":
		_, err := manifest.LoadFiles(os.Getenv("DBT_BENCH_MANIFEST"), os.Getenv("DBT_BENCH_CATALOG"))
		require.NoError(t, err)
	default:
		p, err := New(Config{Name: "synth", Manifest: os.Getenv("DBT_BENCH_MANIFEST"), Catalog: os.Getenv("DBT_BENCH_CATALOG")}, Options{})
		require.NoError(t, err)
		s, err := p.Snapshot()
		require.NoError(t, err)
		l, err := s.ColumnLineage(synth.ModelID(4000))
		require.NoError(t, err)
		require.Equal(t, LevelColumn, l.Level, l.Reason)
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	var ru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &ru))
	fmt.Printf("BENCH ms=%d cpu_ms=%d maxrss_mb=%.1f\n", elapsed.Milliseconds(), cpu.Milliseconds(), float64(ru.Maxrss)/1024)
}

func BenchmarkImpact(b *testing.B) {
	s := benchSnapshot(b)
	for _, tc := range []struct {
		name string
		opts manifest.ImpactOptions
	}{
		{"downstream_depth5_nodes100", manifest.ImpactOptions{MaxDepth: 5, MaxNodes: 100}},
		{"downstream_unbounded", manifest.ImpactOptions{}},
		{"upstream_unbounded", manifest.ImpactOptions{Direction: manifest.Upstream}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var samples []time.Duration
			i := 0
			for b.Loop() {
				ref := synth.ModelID((i * 997) % benchProj.Models)
				if i%5 == 0 {
					ref = synth.SourceID(i % benchProj.Sources)
				}
				i++
				start := time.Now()
				_, err := s.Impact(ref, tc.opts)
				samples = append(samples, time.Since(start))
				require.NoError(b, err)
			}
			percentiles(b, samples)
		})
	}
}

// BenchmarkColumnLineage is one model's column lineage from its compiled
// SQL, parser warm, cache bypassed.
func BenchmarkColumnLineage(b *testing.B) {
	s := benchSnapshot(b)
	_, err := sqlast.Parse("select 1")
	require.NoError(b, err)
	var samples []time.Duration
	i := 0
	for b.Loop() {
		n := s.graph.Node(synth.ModelID((i * 997) % benchProj.Models))
		i++
		start := time.Now()
		l := s.compute(n, []string{n.UniqueID})
		samples = append(samples, time.Since(start))
		require.Equal(b, LevelColumn, l.Level, l.Reason)
	}
	percentiles(b, samples)
}

// BenchmarkColumnImpact is a bounded downstream column walk on a fresh
// snapshot (every model's lineage computed on the way) and a warm one.
func BenchmarkColumnImpact(b *testing.B) {
	m, c := benchArtifacts(b)
	g, err := manifest.LoadFiles(m, c)
	require.NoError(b, err)
	_, err = sqlast.Parse("select 1")
	require.NoError(b, err)
	opts := manifest.ImpactOptions{MaxDepth: 3, MaxNodes: 100}
	for _, warm := range []bool{false, true} {
		b.Run(fmt.Sprintf("warm=%v", warm), func(b *testing.B) {
			s := newSnapshot("synth", g, time.Now())
			var samples []time.Duration
			i := 0
			for b.Loop() {
				if !warm {
					s = newSnapshot("synth", g, time.Now())
				}
				ref := synth.SourceID(i%benchProj.Sources) + ".col_03"
				if warm {
					ref = synth.SourceID(0) + ".col_03"
				}
				i++
				start := time.Now()
				_, err := s.ColumnImpact(ref, opts)
				samples = append(samples, time.Since(start))
				require.NoError(b, err)
			}
			percentiles(b, samples)
		})
	}
}
