# wsframe: every build, test and benchmark habit in one place.
#
#   make test        vet + unit tests + examples of every module (needs only Go)
#   make test-cross  the Go fallback (purego), arm64 and s390x under qemu
#   make bench       the comparison tables against the peer libraries
#   make fuzz        every fuzz target for FUZZTIME each

GO       ?= go
FUZZTIME ?= 30s
# Every Go module in the repository: the root and the nested ones.
MODULES  := . $(patsubst %/go.mod,%,$(wildcard */go.mod))

QEMU_ARM64 := qemu-aarch64-static
QEMU_S390X := qemu-s390x-static

.PHONY: all test vet test-purego test-arm64 test-s390x test-cross race vet-cross lint \
	bench bench-full fuzz fuzz-ci test-interop clean

all: test

test: vet
	@for m in $(MODULES); do \
		echo "== go test $$m"; \
		(cd $$m && $(GO) test -count=1 ./...) || exit 1; \
	done

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || \
		{ echo "gofmt needed:"; gofmt -l .; exit 1; }
	@for m in $(MODULES); do \
		echo "== go vet $$m"; \
		(cd $$m && $(GO) vet ./...) || exit 1; \
	done

test-purego:
	$(GO) test -count=1 -tags purego ./...

test-arm64: need-qemu-arm64
	GOARCH=arm64 $(GO) test -count=1 -exec $(QEMU_ARM64) ./...

test-s390x: need-qemu-s390x
	GOARCH=s390x $(GO) test -count=1 -exec $(QEMU_S390X) ./...

test-cross: test-purego test-arm64 test-s390x

need-qemu-%:
	@command -v qemu-$(subst arm64,aarch64,$*)-static >/dev/null || \
		{ echo "qemu-$(subst arm64,aarch64,$*)-static not found: apt-get install -y qemu-user-static"; exit 1; }

race:
	$(GO) test -count=1 -race -shuffle=on ./...

vet-cross:
	GOARCH=arm64 $(GO) vet ./...
	GOARCH=386 $(GO) vet ./...
	GOARCH=s390x $(GO) vet ./...
	$(GO) vet -tags purego ./...

lint: vet vet-cross

bench:
	$(MAKE) -C bench tables

bench-full:
	$(MAKE) -C bench full

fuzz:
	$(MAKE) -C fuzz run FUZZTIME=$(FUZZTIME)

fuzz-ci:
	$(MAKE) -C fuzz ci

# Round trips with real peers: Node ws, Python websockets, headless Chromium.
test-interop:
	cd interop && npm ci --no-audit --no-fund && WSFRAME_INTEROP_REQUIRE=1 $(GO) test -count=1 ./...

clean:
	$(GO) clean -testcache
