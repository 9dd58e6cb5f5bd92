# prodproof — `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
REPORT ?= report
SITE ?= site
PROOFS_FLAGS ?=

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
test: ## Run the unit and integration tests (starts its own throwaway Postgres)
	$(GO) test -count=1 -timeout 20m ./...

.PHONY: proofs
proofs: ## Run every named proof against a throwaway local Postgres; evidence in report/
	$(GO) run ./proofs run --report $(REPORT) $(PROOFS_FLAGS)

.PHONY: docscheck
docscheck: ## Verify that README.md and docs/ reference only things that exist
	$(GO) run ./docscheck

.PHONY: website
website: ## Build the static proof site from docs/ and report/ into site/
	$(GO) run ./website build --report $(REPORT) --out $(SITE)

.PHONY: serve
serve: ## Serve the built proof site on http://127.0.0.1:8080
	$(GO) run ./website serve --dir $(SITE)

.PHONY: bench
bench: ## Run the Go benchmarks (real Postgres)
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
