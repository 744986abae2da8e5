package mask

import (
	"os/exec"
	"regexp"
	"testing"
)

// TestInlining checks that the compiler still inlines what the short path
// relies on: XOR and XORCopy into their callers, so that a short payload
// costs one call (to the assembly entry, or to xorGo where there is none),
// and rotate into xorGo.
func TestInlining(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(gobin, "build", "-gcflags=-m", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m: %v\n%s", err, out)
	}
	for _, fn := range []string{"XOR", "XORCopy", "rotate"} {
		if !regexp.MustCompile(`can inline ` + fn + `\b`).Match(out) {
			t.Errorf("%s is no longer inlined:\n%s", fn, out)
		}
	}
}
