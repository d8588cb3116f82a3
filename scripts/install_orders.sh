#!/usr/bin/env bash
# The install orders a new user may take, each on a fresh local clone of this repository's HEAD
# in a temp folder: nothing installed, `npm ci` first, `npm install` first, `bun install` first,
# and a system `deno` on the PATH. In each, `deno task deps` (npm packages, installed if missing)
# and `deno task db:down` (a task that starts `deno` itself, which failed with "Invalid or
# unexpected token" when `node_modules/.bin/deno` was the native binary) must succeed, and
# nothing may re-link node_modules/.bin/deno. Prints one line per order and `orders: N passed,
# M failed`; exits non-zero on a failure.
#   bash scripts/install_orders.sh [none|npm-ci|npm-install|bun-install|system-deno]...
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DENO_VERSION="$(node -p "require('$ROOT/package.json').devDependencies.deno")"
BUN="$ROOT/node_modules/.bin/bun"
# A PATH without this repository's node_modules/.bin: what a new user has.
BASE_PATH="$(echo "$PATH" | tr ':' '\n' | grep -v '/node_modules/.bin$' | paste -sd:)"
orders=("$@")
[ ${#orders[@]} -eq 0 ] && orders=(none npm-ci npm-install bun-install system-deno)
passed=0
failed=0

run_order() {
  local order="$1" dir="$2" deno
  cd "$dir" || return 1
  case "$order" in
    none) ;;
    npm-ci) npm ci --no-audit --no-fund --silent || return 1 ;;
    npm-install) npm install --no-audit --no-fund --silent || return 1 ;;
    bun-install) "$BUN" install --silent || return 1 ;;
    system-deno) ;;
    *) echo "unknown order $order"; return 2 ;;
  esac
  if [ "$order" = system-deno ]; then
    mkdir -p "$dir.bin" && cp "$ROOT/node_modules/deno/deno" "$dir.bin/deno" || return 1
    export PATH="$dir.bin:$BASE_PATH"
    deno=(deno)
  else
    deno=(npx -y "deno@$DENO_VERSION")
  fi
  local before=""
  [ -e node_modules/.bin/deno ] && before="$(readlink node_modules/.bin/deno)"
  "${deno[@]}" task deps || return 1
  "${deno[@]}" task db:down || return 1
  # The tasks worked with .bin/deno as npm (or bun) left it: nobody re-linked it.
  if [ -n "$before" ] && [ "$(readlink node_modules/.bin/deno)" != "$before" ]; then
    echo ".bin/deno was re-linked"
    return 1
  fi
  [ -x node_modules/.bin/bun ] || { echo "no node_modules/.bin/bun after deno task deps"; return 1; }
}

for order in "${orders[@]}"; do
  start=$(date +%s)
  dir="$(mktemp -d "${TMPDIR:-/tmp}/rsylla-order-XXXXXX")"
  git clone --quiet "$ROOT" "$dir/repo"
  log="$dir/log"
  if (PATH="$BASE_PATH" run_order "$order" "$dir/repo") >"$log" 2>&1; then
    echo "ok   install order $order ($(($(date +%s) - start))s)"
    passed=$((passed + 1))
  else
    echo "FAIL install order $order ($(($(date +%s) - start))s):"
    tail -20 "$log" | sed 's/^/    /'
    failed=$((failed + 1))
  fi
  rm -rf "$dir" "$dir/repo.bin"
done
echo "orders: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
