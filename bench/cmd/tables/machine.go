package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/wsframe/wsframe/bench/internal/table"
)

// machine is what the header says about where the tables were measured.
type machine struct {
	date   time.Time
	cpu    string
	load   string   // /proc/loadavg when the run started
	kernel string   // the wsframe masking kernel for long slices
	loops  []string // where the linker put the masking kernels' block loops
	rev    string   // the wsframe revision measured, from git
	deps   []string
}

type runInfo struct {
	tables    []*table.Table
	rounds    int
	benchtime string
	elapsed   time.Duration
}

func describeMachine() machine {
	m := machine{
		date:   time.Now().UTC(),
		cpu:    cpuModel(),
		kernel: maskKernel(),
		loops:  loopPlacements(),
		rev:    revision(),
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			m.load = strings.Join(f[:3], " ")
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if isPeer(d.Path) {
				m.deps = append(m.deps, d.Path+" "+d.Version)
			}
		}
	}
	return m
}

// isPeer reports whether path is one of the compared libraries.
func isPeer(path string) bool {
	switch path {
	case "github.com/gorilla/websocket", "github.com/gobwas/ws", "github.com/coder/websocket",
		"github.com/lxzan/gws", "github.com/lesismal/nbio":
		return true
	}
	return false
}

// cpuModel reads the processor's name from /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "model name", "Model", "cpu model":
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func writeHeader(w io.Writer, m machine, r runInfo) {
	var names []string
	for _, t := range r.tables {
		names = append(names, t.Name)
	}
	fmt.Fprintf(w, "# wsframe benchmark tables\n\n")
	fmt.Fprintf(w, "- date: %s\n", m.date.Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(w, "- CPU: %s, %d logical CPUs, GOMAXPROCS %d\n", m.cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintf(w, "- Go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "- wsframe masking kernel for long slices: %s\n", m.kernel)
	if len(m.loops) > 0 {
		fmt.Fprintf(w, "- block loops in this binary (a loop that runs into a second 64-byte line ran at up to half speed "+
			"on AMD Zen 3: BenchmarkLoopPlacement in bench/): %s\n", strings.Join(m.loops, "; "))
	}
	if m.rev != "" {
		fmt.Fprintf(w, "- wsframe: %s\n", m.rev)
	}
	if m.load != "" {
		fmt.Fprintf(w, "- load average when the run started: %s\n", m.load)
	}
	if len(m.deps) > 0 {
		fmt.Fprintf(w, "- peers: %s\n", strings.Join(m.deps, ", "))
	}
	fmt.Fprintf(w, "- tables: %s; %d rounds per case, -benchtime %s; total %s\n",
		strings.Join(names, ", "), r.rounds, r.benchtime, r.elapsed.Round(time.Second))
	fmt.Fprintf(w, "\nIn each round a case runs every implementation once with testing.Benchmark, "+
		"one after another in one process, the order rotating by one from round to round; "+
		"the first round finds the iteration count that fills the benchtime and the others run that count. "+
		"A cell is the median of the rounds.\n\n")
}

// revision describes the wsframe source the tables measured: the commit of
// the repository holding the working directory and the files outside bench/
// that differ from it. It asks git only to read (GIT_OPTIONAL_LOCKS=0 keeps
// git status from refreshing the index), and is empty without git.
func revision() string {
	git := func(args ...string) (string, error) {
		cmd := exec.Command("git", args...)
		cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0")
		out, err := cmd.Output()
		return strings.TrimRight(string(out), "\n"), err
	}
	commit, err := git("rev-parse", "--short", "HEAD")
	if err != nil {
		return ""
	}
	top, err := git("rev-parse", "--show-toplevel")
	if err != nil {
		return "commit " + commit
	}
	status, err := git("-C", top, "status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)bench")
	if err != nil || status == "" {
		return "commit " + commit
	}
	var files []string
	for _, line := range strings.Split(status, "\n") {
		if len(line) > 3 {
			files = append(files, "`"+line[3:]+"`")
		}
	}
	return fmt.Sprintf("commit %s with uncommitted changes to %s", commit, strings.Join(files, ", "))
}
