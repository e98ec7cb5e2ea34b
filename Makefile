# Toit — the two commands: `make run` (embedded default) and `make test` (everything).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_LINK_MODE ?= copy
N ?= 200000

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-22s %s\n", $$1, $$2}'

.PHONY: deps
deps: ## Install uv and the Python dependencies (locked)
	@deploy/local/bootstrap.sh --uv-only
	@uv sync --all-packages --frozen --quiet

.PHONY: run
run: deps ## The whole system in one process on http://127.0.0.1:8000 (SQLite, in-process bus, demo data)
	@uv run toit-embedded

.PHONY: test
test: ## Lint, type-check and run every test against real PostgreSQL and RabbitMQ
	@deploy/local/test.sh

.PHONY: lint
lint: deps ## ruff (lint + format check) and mypy on libs/ and services/
	@uv run ruff check .
	@uv run ruff format --check .
	@uv run mypy libs/contracts/src libs/servicekit/src libs/referentiel/src libs/ui/src frontends/*/src services/*/src

.PHONY: fmt
fmt: deps ## Format the code
	@uv run ruff check --fix -q . ; uv run ruff format -q .

.PHONY: up
up: ## The real topology: RabbitMQ, PostgreSQL, one process per service, nginx on :8000
	@deploy/local/up.sh

.PHONY: down
down: ## Stop what `make up` started
	@deploy/local/down.sh

.PHONY: infra
infra: ## Start only PostgreSQL and RabbitMQ on loopback (for tests run by hand)
	@deploy/local/bootstrap.sh
	@deploy/local/infra.sh start
	@deploy/local/infra.sh env

.PHONY: asyncapi
asyncapi: deps ## Regenerate docs/asyncapi.yaml and the JSON Schemas from libs/contracts
	@uv run python -m toit_contracts.asyncapi --output docs/asyncapi.yaml
	@uv run python -m toit_contracts.profils_doc --output docs/partenaires

.PHONY: bench-bus
bench-bus: deps ## Raw aio-pika ceiling vs the full outbox→broker→inbox path (figures in docs/performance.md)
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_bus.py

.PHONY: bench-demandes
bench-demandes: deps ## create+register, PATCH and search among N demandes (default 200,000) through nginx, beside a bare endpoint
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_demandes.py --demandes $(N)

.PHONY: bench-cotation
bench-cotation: deps ## Scoring function, bulk re-score of N demandes and live latency under bulk load
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_cotation.py --demandes $(N)

OBS_DEMANDES ?= 1000000
OBS_ATTRIBUTIONS ?= 300000
# e.g. OBS_ARGS="--skip-rebuild --runs 10" (the queries only) or "--skip-queries" (the rebuild only)
OBS_ARGS ?=
.PHONY: bench-matching
bench-matching: deps ## Candidate search and comparateur p95, import of 50,000 units, read-model rebuild vs bench-bus's ceiling (N demandes)
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_matching.py --demandes $(N)

.PHONY: bench-attribution
bench-attribution: deps ## One year of CREHA attributions (40,000) through outbox, broker and cotation's consumer vs bench-bus's ceiling; waiting-time query p95; then the whole chain (designation → decision → offer → lease → radiation) through demandes, cotation and matching
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_attribution.py
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_attribution_chaine.py --chaines 100

.PHONY: bench-observatoire
bench-observatoire: deps ## Saved list with two groupings and one EPCI's indicators (OBS_DEMANDES, OBS_ATTRIBUTIONS), rebuild from the archive vs bench-bus's ceiling
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_observatoire.py --demandes $(OBS_DEMANDES) --attributions $(OBS_ATTRIBUTIONS) $(OBS_ARGS)

.PHONY: bench-notifications
bench-notifications: deps ## 10,000 renewal notices rendered and sent to a local SMTP server
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_notifications.py --count 10000

.PHONY: bench-identite
bench-identite: deps ## Token verification per request and argon2id cost (no servers)
	@uv run python bench/bench_identite.py

.PHONY: bench-abonnements
bench-abonnements: deps ## 20 partners × N demande events by webhooks and pull feed; p99 commit→receipt at 200 ev/s, ratio to the bus ceiling
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_abonnements.py --evenements $(or $(EVENEMENTS),5000)

.PHONY: seed
seed: deps ## Generate N realistic demandes into bench/data/demandes-N.jsonl (make seed N=200000)
	@uv run --directory bench python -m generator --count $(N) --seed 42 --output data/demandes-$(N).jsonl

.PHONY: bench-portail
bench-portail: deps ## Espace personnel (/mon-espace and a demande's suivi) at 50 households through nginx, beside a static file served the same way
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_portail.py

.PHONY: bench-espace-pro
bench-espace-pro: deps ## Consultation and search pages among N demandes, 20 users through nginx, beside the same API calls
	@deploy/local/bootstrap.sh && deploy/local/infra.sh start >/dev/null
	@eval "$$(deploy/local/infra.sh env)" && uv run python bench/bench_espace_pro.py --demandes $(N)

.PHONY: screenshots
screenshots: ## Copy the main screens from the last browser-test run (test-artefacts/) into docs/screenshots/
	@for f in accueil recherche consultation cotation saisie-erreurs conflit pieces simulation hors-perimetre historique \
	  annonces accueil-annonce accueil-favoris accueil-listes doublons habilitations saisie-complements consultations; do \
	  if [ -f test-artefacts/screenshots/pro-$$f.png ]; then cp test-artefacts/screenshots/pro-$$f.png docs/screenshots/; \
	  else echo "pro-$$f.png missing: run the browser tests (frontends/espace-pro/tests, tests-e2e/test_e2e_observatoire_browser.py)"; fi; done

.PHONY: ui-dsfr
ui-dsfr: ## Fetch the optional DSFR skin (TOIT_UI_THEME=dsfr, State-run instances only) from npm through its lock file
	@deploy/local/bootstrap.sh --npm && libs/ui/scripts/dsfr-assets.sh

.PHONY: ui-assets
ui-assets: ## Refresh the vendored web assets of libs/ui (htmx 2.0.x) from npm through its lock file
	@libs/ui/scripts/vendor-assets.sh
