#!/usr/bin/env bash
# Every test: web unit tests and build, Rust unit and integration tests (real server, real
# SQLite, real HTTPS), then the browser test in headless Chromium against the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
(cd web && npm test)
cargo test --locked
scripts/e2e.sh
