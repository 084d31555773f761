#!/usr/bin/env bash
# Builds Liyan (web app embedded) and starts a throw-away demo clinic on https://localhost:8443/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-web.sh
cargo build --release
exec target/release/liyan demo "$@"
