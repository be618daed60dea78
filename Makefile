# psib: make demo runs the main job end to end against the built-in emulator;
# make test is what CI runs. Both need only Go.

GO       ?= go
BIN      := bin/psib
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
DATE     ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS  := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
FUZZTIME ?= 5s
# -race needs cgo; use it only where a C compiler is present.
RACE     := $(shell $(GO) env CGO_ENABLED 2>/dev/null | grep -q 1 && command -v gcc >/dev/null 2>&1 && echo -race)
# psib is built with the standard library's experimental simd/archsimd
# (Go 1.26) for its AVX2 byte scans; a build without it (go install) uses
# the portable scans. make test runs everything with it, and the packages
# that have both kinds of scan once more without it; PSIB_WANT_SIMD makes
# their TestSIMDScanInUse fail should a run have the other kind. Other
# experiments set in GOEXPERIMENT are kept.
comma    := ,
EXP_BASE := $(if $(GOEXPERIMENT),$(GOEXPERIMENT)$(comma))
SIMD     := GOEXPERIMENT=$(EXP_BASE)simd
NOSIMD   := GOEXPERIMENT=$(EXP_BASE)nosimd
SIMD_PKGS := ./internal/jsonstr ./pkg/ibmsg ./pkg/gwlog
# make build compiles for the CPU it runs on, as -march=native would: where
# the x86-64 v3 level is there (AVX2, BMI2, FMA...: Haswell, Zen and
# later), GOAMD64=v3 lets the compiler use its instructions (BMI2's shifts
# in inflating's loop: decode takes ~5% less CPU). Such a binary does not
# start on an older CPU: GOAMD64=v1 make build gives one that runs on any
# x86-64 (go install's default), and so does a build elsewhere than on
# Linux/x86-64. The AVX2 and AVX-512 scans are chosen at run time either way.
GOAMD64  ?= $(shell sh scripts/goamd64.sh)
NATIVE   := $(if $(GOAMD64),GOAMD64=$(GOAMD64))

.PHONY: all build test demo bench fuzz cover update-golden clean fmt vet

all: build

build:
	$(NATIVE) $(SIMD) $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/psib

## test: gofmt check, go vet, every test (unit, golden, testscript). No network but loopback.
test:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(NOSIMD) $(GO) vet ./...
	$(SIMD) $(GO) vet ./...
	@# Go 1.26's rewriteTern pass miscompiles some fused SIMD operations
	@# (pkg/gwlog/scan_simd.go, unescapeBlocks64): fail should it fuse any
	@# of psib's. (A Go without the pass prints no such line.)
	@# (Both as make build compiles and for any x86-64.)
	@for level in "$(GOAMD64)" v1; do \
	  rw=$$(GOAMD64=$$level $(SIMD) $(GO) build -gcflags='github.com/psib-dev/psib/...=-d=ssa/rewrite_tern/debug=1' -o /dev/null ./... 2>&1 | grep Rewriting); \
	  if [ -n "$$rw" ]; then echo "the compiler fused SIMD operations that it may miscompile; combine the masks with ToBits:"; echo "$$rw"; exit 1; fi; \
	done
	@# The tests run as make build compiles; the packages with SIMD scans
	@# (and inflating's unsafe loop) again as compiled for any x86-64, and
	@# with the portable scans.
	PSIB_WANT_SIMD=1 $(NATIVE) $(SIMD) $(GO) test $(RACE) -count=1 ./...
	$(if $(NATIVE),PSIB_WANT_SIMD=1 GOAMD64=v1 $(SIMD) $(GO) test -count=1 $(SIMD_PKGS),@true)
	PSIB_WANT_SIMD=0 $(NOSIMD) $(GO) test $(RACE) -count=1 $(SIMD_PKGS)

## demo: build psib and run the main job end to end.
demo: build
	@./scripts/demo.sh $(BIN)

## bench: every Go benchmark, plus the end-to-end measurements in scripts/bench.sh.
bench: build
	$(SIMD) $(GO) test -run '^$$' -bench . -benchmem ./...
	@./scripts/bench.sh $(BIN)

## fuzz: run every fuzz target briefly (FUZZTIME=5s each).
fuzz:
	$(SIMD) FUZZTIME=$(FUZZTIME) ./scripts/fuzz.sh

cover:
	$(GO) test -coverprofile=coverage.out ./...
	$(GO) tool cover -func=coverage.out | tail -1
	$(GO) tool cover -html=coverage.out -o coverage.html

## update-golden: rewrite golden files and testscript outputs; review the diff.
# Packages whose tests take -update (add a package here when it gets goldens).
GOLDEN_PKGS := ./pkg/ibmsg ./pkg/lint ./pkg/gwlog

update-golden:
	$(GO) test $(GOLDEN_PKGS) -update
	$(GO) test ./cmd/psib -run TestScripts -update-scripts

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin dist coverage.out coverage.html
