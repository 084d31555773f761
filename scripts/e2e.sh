#!/usr/bin/env bash
# The browser tests against the real binary: a demo clinic, a known customer, new accounts that
# must change their password (front desk, 360°, admin tools), then web/e2e in the system's Chromium.
# The debug binary serves web/dist from disk: build it first (scripts/build-web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked
bin="$PWD/target/debug/liyan"
data=$(mktemp -d -t liyan-e2e.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="https://127.0.0.1:$port"
server=""
fresh=""
empty=$(mktemp -d -t liyan-e2e-empty.XXXXXX)
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  [ -n "$fresh" ] && kill "$fresh" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$data" "$empty"
}
trap cleanup EXIT

"$bin" demo --no-serve --customers 300 --data-dir "$data" >/dev/null
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_desk --role front_desk --store main --password-stdin >/dev/null
# The 360° test runs beside the front-desk test: accounts of its own (each changes its password).
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_desk360 --role front_desk --store main --display-name 测试前台 --password-stdin >/dev/null
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_consultant --role consultant --store main --display-name 测试咨询 --password-stdin >/dev/null
# The admin-tools test (import, segments, duplicates, privacy requests): one account per test.
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_import --role manager --store main --display-name 测试导入 --password-stdin >/dev/null
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_segment --role manager --store main --display-name 测试分群 --password-stdin >/dev/null
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_admin --role admin --store main --display-name 测试管理 --password-stdin >/dev/null
# The custom-fields test: an admin who defines fields, a front desk who must not see the health one.
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_fields --role admin --store main --display-name 测试字段 --password-stdin >/dev/null
printf 'Start-2026!\n' | "$bin" user add --data-dir "$data" --username e2e_fields_desk --role front_desk --store main --display-name 测试字段前台 --password-stdin >/dev/null
LIYAN_LOG=warn "$bin" serve --data-dir "$data" --listen "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sk "$url/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done

# A customer the front desk will look for, created through the API as the demo admin.
token=$(curl -sk "$url/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"Liyan@2026"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
curl -skf "$url/api/v1/customers" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"曾小红","mobile":"13912340617","store_id":1}' >/dev/null
# A customer who consented to photos, for the doctor's photo and consent-form journey.
photo_customer=$(curl -skf "$url/api/v1/customers" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"韩美丽","mobile":"13912340618","store_id":1,"consents":{"privacy":true,"health_data":true,"photos":true}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
# A customer who consented to health data, for the custom-fields test.
fields_customer=$(curl -skf "$url/api/v1/customers" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"孟姜女","mobile":"13912340619","store_id":1,"consents":{"privacy":true,"health_data":true}}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# A second server on an empty data directory, for the first-run setup through its printed link.
empty_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
LIYAN_LOG=warn "$bin" serve --data-dir "$empty/data" --listen "127.0.0.1:$empty_port" >"$empty/server.out" 2>&1 &
fresh=$!
setup_url=""
for _ in $(seq 1 100); do
  setup_url=$(grep -o "https://[^ ]*/setup?token=[A-Za-z0-9_-]*" "$empty/server.out" || true)
  [ -n "$setup_url" ] && break
  sleep 0.2
done
[ -n "$setup_url" ] || { echo "no setup link printed:"; cat "$empty/server.out"; exit 1; }

cd web
LIYAN_E2E_SETUP_URL="$setup_url" \
LIYAN_E2E_URL="$url" LIYAN_E2E_USER=e2e_desk LIYAN_E2E_PASSWORD='Start-2026!' LIYAN_E2E_NEW_PASSWORD='Desk-Changed-2026!' \
LIYAN_E2E_360_DESK_USER=e2e_desk360 LIYAN_E2E_360_DESK_PASSWORD='Start-2026!' \
LIYAN_E2E_360_CONSULTANT_USER=e2e_consultant LIYAN_E2E_360_CONSULTANT_PASSWORD='Start-2026!' \
LIYAN_E2E_TOOLS_IMPORT_USER=e2e_import LIYAN_E2E_TOOLS_IMPORT_PASSWORD='Start-2026!' \
LIYAN_E2E_TOOLS_SEGMENT_USER=e2e_segment LIYAN_E2E_TOOLS_SEGMENT_PASSWORD='Start-2026!' \
LIYAN_E2E_TOOLS_ADMIN_USER=e2e_admin LIYAN_E2E_TOOLS_ADMIN_PASSWORD='Start-2026!' \
LIYAN_E2E_IMPORT_FILE=tests/fixtures/import-customers.xlsx \
LIYAN_E2E_CUSTOMER_NAME=曾小红 LIYAN_E2E_CUSTOMER_INITIALS=zxh LIYAN_E2E_CUSTOMER_TAIL4=0617 \
LIYAN_E2E_CLINICAL_USER=doctor LIYAN_E2E_CLINICAL_PASSWORD='Liyan@2026' \
LIYAN_E2E_PHOTO_CUSTOMER_ID="$photo_customer" LIYAN_E2E_PHOTO_CUSTOMER_NAME=韩美丽 \
LIYAN_E2E_FIELDS_ADMIN_USER=e2e_fields LIYAN_E2E_FIELDS_ADMIN_PASSWORD='Start-2026!' \
LIYAN_E2E_FIELDS_DESK_USER=e2e_fields_desk LIYAN_E2E_FIELDS_DESK_PASSWORD='Start-2026!' \
LIYAN_E2E_FIELDS_CUSTOMER_ID="$fields_customer" LIYAN_E2E_FIELDS_CUSTOMER_NAME=孟姜女 \
  npm run e2e
