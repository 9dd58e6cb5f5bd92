# prodproof — `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
REPORT ?= report
SITE ?= site
PROOFS_FLAGS ?=
RIVER_PROOFS ?=
JOBS ?= 5000
SEED ?= 0
FUZZTIME ?= 10s
LOAD_DURATION ?= 60s

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build every tool into bin/
	$(GO) build -o bin/reference-backend ./backend
	$(GO) build -o bin/proofs ./proofs
	$(GO) build -o bin/docscheck ./docscheck
	$(GO) build -o bin/website ./website

.PHONY: test
test: ## Run the unit and integration tests (starts its own throwaway Postgres); ends naming every skipped test
	set -o pipefail; $(GO) build -o bin/testsummary ./internal/testsummary && \
	$(GO) test -count=1 -timeout 20m -json ./... | bin/testsummary

.PHONY: race
race: ## The concurrent packages' tests under the race detector
	$(GO) test -count=1 -race -timeout 20m ./backend/... ./proofs/harness ./proofs/evidence ./docscheck/...

.PHONY: proofs
proofs: ## Run every named proof against a throwaway local Postgres; evidence in report/
	$(GO) run ./proofs run --report $(REPORT) $(PROOFS_FLAGS)

# Built, then run: `go run` turns every non-zero exit into 1, which would
# pass a harness error (2) off as a finding about River (1).
.PHONY: proofs-river
proofs-river: ## Prove River (a queue nobody here wrote) with the same framework: its own module proofs/river; report in report/river/
	cd proofs/river && { $(GO) build -o $(abspath bin)/river-proofs . || exit 2; }; \
	$(abspath bin)/river-proofs --db local --report $(abspath $(REPORT))/river $(RIVER_PROOFS); \
	status=$$?; [ $$status -le 1 ] || exit $$status; \
	[ $$status -eq 0 ] || echo "proofs-river: a River claim failed: that is a finding about River, see $(REPORT)/river"

.PHONY: mutants
mutants: ## Proofs of the proofs: apply each claim-breaking mutant to a scratch copy, fail if a proof misses one; report/mutants.json
	$(GO) run ./proofs mutants --report $(REPORT) $(PROOFS_FLAGS)

# A sampled subset of the generated mutants, for CI (6 to 8 minutes on two loaded cores).
MUTANTS_SAMPLE ?= 10
MUTANTS_SEED ?= 1

.PHONY: mutants-sample
mutants-sample: ## Generated mutants, a seeded sample of MUTANTS_SAMPLE: each judged by the proofs whose coverage reaches its line; report/generated-mutants.json
	$(GO) run ./proofs mutants --generated --sample $(MUTANTS_SAMPLE) --seed $(MUTANTS_SEED) --report $(REPORT) $(PROOFS_FLAGS)

.PHONY: mutants-generated
mutants-generated: ## Every generated mutant of backend/ and migrations/ (about 20 hours on two loaded cores; docs/proofs.md); report/generated-mutants.json
	$(GO) run ./proofs mutants --generated --report $(REPORT) $(PROOFS_FLAGS)

.PHONY: soak
soak: ## Chaos soak: JOBS jobs to 3 backends under kills, restarts, DB cuts, pauses, crashes (SEED= replays); report/soak/
	$(GO) build -o bin/proofs ./proofs
	bin/proofs soak --jobs $(JOBS) --seed $(SEED) --report $(REPORT)

# Every fuzz target, as package:Target (go test -fuzz takes one at a time).
FUZZ_TARGETS := ./backend/api:FuzzPostJobs ./backend/api:FuzzGetJob ./backend/api:FuzzIdempotencyKey ./backend/job:FuzzParseID \
	./backend/config:FuzzFromEnv ./migrations:FuzzLoad ./docscheck/command:FuzzParse \
	./docscheck/check:FuzzCheck ./website/site:FuzzRenderMarkdown

.PHONY: fuzz
fuzz: ## Fuzz every outside input for FUZZTIME each (default 10s); seeds in testdata/fuzz/
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

.PHONY: load
load: ## Load hygiene for LOAD_DURATION (60s): no errors, flat RSS/fds/threads, DB sessions within the pool, /health p95 < /livez p95 + 50 ms; report/load/
	$(GO) run ./proofs load --duration $(LOAD_DURATION) --health-strict --report $(REPORT)

.PHONY: docscheck
docscheck: ## Verify that README.md and docs/ reference only things that exist
	$(GO) run ./docscheck

.PHONY: website
website: ## Build the static proof site from docs/ and report/ into site/
	$(GO) run ./website build --report $(REPORT) --out $(SITE)

# The server is built, then exec'd in place of the recipe's shell, so it is
# make's own child: SIGINT (Ctrl-C, to the whole process group) and SIGTERM
# (which make passes on to its children) reach it and stop it. `go run` would
# stand between them and pass neither on, leaving the server orphaned.
ADDR ?= 127.0.0.1:8080

.PHONY: serve
serve: ## Serve the built proof site on http://$(ADDR) (ADDR=host:port)
	$(GO) build -o bin/website ./website
	exec bin/website serve --dir $(SITE) --addr $(ADDR)

.PHONY: bench
bench: ## Benchmark vs River: growth curve, durable settings, pgbench's limit, latency, RSS, recovery (QUICK=1: smoke); bench/results.json
	$(GO) run ./bench $(if $(filter 1,$(QUICK)),-quick)

.PHONY: bench-large
bench-large: ## Growth curve to 1,000,000 jobs vs River (throwaway and durable), jobs table after 1,000,000 jobs with/without retention; bench/results-large.json
	$(GO) run ./bench -large -out bench/results-large.json

.PHONY: gobench
gobench: ## Run the Go benchmarks (real Postgres)
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

.PHONY: fmt
fmt: ## Format the Go code
	gofmt -w $$(git ls-files '*.go')

.PHONY: lint
lint: ## gofmt check and go vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "not gofmt-formatted:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

.PHONY: clean
clean: ## Remove build output, the report and the site
	rm -rf bin $(SITE)
