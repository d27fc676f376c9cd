# otop -- common tasks. `make` (or `make help`) lists them.
#
# Local services (PostgreSQL + MinIO, no Docker) are managed by
# scripts/services.sh; tool binaries are cached in $(OTOP_CACHE)/bin.

.DEFAULT_GOAL := help

GO             ?= go
BIN            := bin/otop
GOTESTFLAGS    ?=
OTOP_CACHE     ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/otop
export OTOP_CACHE

GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT_PKG     := github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
GOLANGCI_LINT         := $(OTOP_CACHE)/bin/golangci-lint-$(GOLANGCI_LINT_VERSION)

.PHONY: help run up status down build test lint fmt vet bench clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## start dev services, build, migrate, seed demo data, serve
	scripts/services.sh up dev && \
	eval "$$(scripts/services.sh env dev)" && \
	$(GO) build -o $(BIN) . && \
	$(BIN) migrate && \
	$(BIN) seed --demo && \
	exec $(BIN) serve

up: ## start the dev services only (PostgreSQL :54320, MinIO :9000)
	scripts/services.sh up dev

status: ## show the state of the dev and test services
	-@scripts/services.sh status dev
	-@scripts/services.sh status test

down: ## stop the dev and test services (dev data is kept)
	scripts/services.sh down dev
	scripts/services.sh down test

build: ## build bin/otop
	$(GO) build -o $(BIN) .

test: ## run all tests (-race) against throwaway services; extra flags: GOTESTFLAGS=...
	scripts/test.sh $(GOTESTFLAGS)

lint: ## run golangci-lint (built into the cache on first use) and check that go.mod is tidy
	@bash -c '. scripts/lib.sh && go_install_cached "$$1" "$$2"' _ '$(GOLANGCI_LINT_PKG)' '$(GOLANGCI_LINT)'
	'$(GOLANGCI_LINT)' run ./...
	$(GO) mod tidy -diff # go.mod and go.sum say exactly what the code imports

fmt: ## format the Go code
	$(GO) fmt ./...

vet: ## go vet
	$(GO) vet ./...

bench: ## run the benchmarks (scripts/bench/run.sh)
	scripts/bench/run.sh

clean: ## remove build outputs (not .data)
	rm -rf bin coverage.out coverage.html
