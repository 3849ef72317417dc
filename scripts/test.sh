#!/usr/bin/env bash
# Every test Harrier has, from a fresh machine: formatting, lints, the
# dependency rule, unit and integration tests, and the browser tests.
# Installs what it needs (Debian's chromium, npm's playwright-core) itself.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "core and detect stay free of HTTP, SQL, NATS (and detect of async)"
for pkg in harrier-core harrier-detect; do
  for crate in axum sqlx async-nats rusqlite hyper tokio; do
    if cargo tree -p "$pkg" -e normal --locked -i "$crate" >/dev/null 2>&1; then
      echo "$pkg depends on $crate: it must not" >&2
      exit 1
    fi
  done
done

step "unit and integration tests"
cargo test --workspace --locked

cargo build -p harrier-cli --locked

step "ring engine's edges equal the coordination-network-toolkit's (PyPI, in a venv)"
HARRIER_BIN="$PWD/target/debug/harrier" scripts/test-ring-peer.sh

step "browser tests (Playwright + Debian chromium)"
HARRIER_BIN="$PWD/target/debug/harrier" scripts/e2e.sh

echo
echo "all tests passed"
