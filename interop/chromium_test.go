package interop

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// chromiumClient loads peers/browser/index.html in headless Chromium from a
// server on 127.0.0.1; the page runs the cases against wsURL and writes its
// results into the DOM, which Chromium prints once the page has loaded.
// The page's load waits for /hold, which the server answers when the page
// posts /done. The server must have selected the extensions ext
// (WebSocket.extensions).
func chromiumClient(t *testing.T, wsURL, ext string) {
	chromium := needChromium(t)
	cases := echoCases(features{})

	done := make(chan struct{})
	var finish sync.Once
	mux := http.NewServeMux()
	files := http.FileServer(http.Dir("peers"))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".mjs") { // a module script needs a JavaScript type
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		}
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("/cases.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(clientInput{URL: wsURL, Mode: "echo", Cases: cases})
	})
	mux.HandleFunc("/hold", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-done:
		case <-r.Context().Done():
		case <-time.After(scriptTimeout):
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/done", func(w http.ResponseWriter, r *http.Request) {
		finish.Do(func() { close(done) })
		w.WriteHeader(http.StatusNoContent)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer finish.Do(func() { close(done) })

	cmd := exec.Command(chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--no-default-browser-check",
		"--user-data-dir="+t.TempDir(),
		"--virtual-time-budget="+strconv.Itoa(int(scriptTimeout/time.Millisecond)),
		"--dump-dom", srv.URL+"/browser/index.html")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	ownGroup(cmd)
	timer := time.AfterFunc(scriptTimeout+10*time.Second, func() { killGroup(cmd) })
	start := time.Now()
	err := cmd.Run()
	timer.Stop()
	killGroup(cmd) // the helpers Chromium leaves behind
	t.Logf("chromium ran for %v", time.Since(start).Round(time.Millisecond))
	if err != nil {
		t.Fatalf("chromium: %v\nstdout:\n%s\nstderr:\n%s", err, tail(stdout.String(), 4000), tail(stderr.String(), 4000))
	}
	got, err := parseResults(resultsOf(stdout.Bytes()))
	if err != nil || len(got) == 0 {
		t.Fatalf("no results in the page (%v); DOM:\n%s\nstderr:\n%s", err, tail(stdout.String(), 4000), tail(stderr.String(), 4000))
	}
	checkResults(t, cases, opened(t, "chromium", got, ext))
}

// resultsOf returns the text of the page's <pre id="results"> in dom.
func resultsOf(dom []byte) []byte {
	const open, end = `<pre id="results">`, `</pre>`
	i := bytes.Index(dom, []byte(open))
	if i < 0 {
		return nil
	}
	rest := dom[i+len(open):]
	j := bytes.Index(rest, []byte(end))
	if j < 0 {
		return nil
	}
	return []byte(html.UnescapeString(string(rest[:j])))
}
