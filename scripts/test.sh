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

step "core stays free of HTTP, SQL and NATS"
for crate in axum sqlx async-nats rusqlite hyper; do
  if cargo tree -p harrier-core -e normal --locked -i "$crate" >/dev/null 2>&1; then
    echo "harrier-core depends on $crate: the domain must not" >&2
    exit 1
  fi
done

step "unit and integration tests"
cargo test --workspace --locked

step "browser tests (Playwright + Debian chromium)"
cargo build -p harrier-cli --locked
HARRIER_BIN="$PWD/target/debug/harrier" scripts/e2e.sh

echo
echo "all tests passed"
