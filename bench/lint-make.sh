#!/usr/bin/env bash
# rein lint make on a generated 2,000-line Makefile (variables of every flavour, continuations, define blocks,
# target-specific variables, rules with recipes, $(shell) at parse time and in recipes), whole process.
# Usage: bench/lint-make.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
REIN="${REIN_BIN:-$root/out/rein}"
[ -x "$REIN" ] || { echo "bench: $REIN not found; run ./build.sh first" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mk="$tmp/Makefile"
{
  echo 'PYTHON ?= .venv/bin/python'
  echo 'VERSION := $(shell cat VERSION 2>/dev/null)'
  for i in $(seq 1 100); do
    cat <<BLOCK
# block $i: a module with its flags, sources and targets
MOD${i}_SRC := \$(wildcard src/mod$i/*.c) \\
    src/mod$i/extra.c
MOD${i}_FLAGS = -O2 -DMOD=$i \$(EXTRA_FLAGS)
MOD${i}_LIBS := -lm
MOD${i}_OBJ := \$(patsubst %.c,%.o,\$(MOD${i}_SRC))
override MOD${i}_DEFS += -DVERSION=\$(VERSION)
define MOD${i}_HELP
Build module $i (\$(MOD${i}_FLAGS))
endef
mod$i: MOD${i}_LOCAL = \$(shell date +%s)
mod$i: \$(MOD${i}_OBJ) | build-dir
	@echo "linking mod$i \$(MOD${i}_LOCAL)"
	\$(CC) \$(MOD${i}_FLAGS) -o \$@ \$^ \\
	  \$(LDFLAGS)
	@cached=\$\$(\$(PYTHON) -c "import sys; print(sys.version)"); echo \$\$cached
test-mod$i: mod$i
	\$(MAKE) -C tests/mod$i run   # each module's tests run in their own directory
	@echo "tested mod$i: \$(shell git rev-parse --short HEAD)"
.PHONY: mod$i test-mod$i
BLOCK
  done
  echo 'ML_CACHED := $(shell $(PYTHON) -c "import spacy; spacy.load(\"en_core_web_sm\")")'
} >"$mk"
echo "lines: $(wc -l <"$mk")"
"$REIN" lint make "$mk" >/dev/null || true
hyperfine -N --warmup 5 --runs 50 --ignore-failure "$REIN lint make $mk"
