#!/usr/bin/env bash
# Build front-end vendor assets into views/static/vendor/ from the npm packages
# pinned in package.json / package-lock.json. Nothing is loaded from a CDN at
# run time: templates reference the copies under /static/vendor/.
#
# Idempotent: a content-hash stamp (package.json + package-lock.json + this
# script) is kept in node_modules/.install-stamp and views/static/vendor/.stamp;
# when both match and every expected file exists, the script does nothing.
# Set FORCE=1 to rebuild regardless.
set -euo pipefail

SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
ROOT="$(dirname "$(dirname "$SELF")")"
cd "$ROOT"

NM="node_modules"
VENDOR="views/static/vendor"
NM_STAMP="$NM/.install-stamp"
VENDOR_STAMP="$VENDOR/.stamp"

# src (relative to node_modules) -> dest (relative to $VENDOR)
FILES=(
  "bpmn-js/dist/bpmn-modeler.production.min.js:bpmn-js/bpmn-modeler.production.min.js"
  "bpmn-js/dist/bpmn-viewer.production.min.js:bpmn-js/bpmn-viewer.production.min.js"
  "bpmn-js/dist/bpmn-navigated-viewer.production.min.js:bpmn-js/bpmn-navigated-viewer.production.min.js"
  "bpmn-js/dist/assets/diagram-js.css:bpmn-js/assets/diagram-js.css"
  "bpmn-js/dist/assets/bpmn-js.css:bpmn-js/assets/bpmn-js.css"
  "bpmn-js/dist/assets/bpmn-font/css/bpmn.css:bpmn-js/assets/bpmn-font/css/bpmn.css"
  "bpmn-js/LICENSE:bpmn-js/LICENSE"
  "bpmn-js-properties-panel/dist/bpmn-js-properties-panel.umd.js:properties-panel/bpmn-js-properties-panel.umd.js"
  "bpmn-js-properties-panel/LICENSE:properties-panel/LICENSE"
  "@bpmn-io/properties-panel/dist/assets/properties-panel.css:properties-panel/properties-panel.css"
  "echarts/dist/echarts.min.js:echarts/echarts.min.js"
  "echarts/LICENSE:echarts/LICENSE"
)
# Whole directory (font files referenced by bpmn.css as ../font/bpmn.*)
FONT_SRC="bpmn-js/dist/assets/bpmn-font/font"
FONT_DEST="bpmn-js/assets/bpmn-font/font"

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

NM_HASH="$(hash_of package.json package-lock.json)"
VENDOR_HASH="$(hash_of package.json package-lock.json "$SELF")"

vendor_complete() {
  [ -f "$VENDOR_STAMP" ] && [ "$(cat "$VENDOR_STAMP")" = "$VENDOR_HASH" ] || return 1
  local entry
  for entry in "${FILES[@]}"; do
    [ -s "$VENDOR/${entry#*:}" ] || return 1
  done
  compgen -G "$VENDOR/$FONT_DEST/bpmn.woff2" >/dev/null || return 1
}

if [ "${FORCE:-0}" != "1" ] && vendor_complete; then
  echo "assets: $VENDOR is up to date"
  exit 0
fi

# 1. node_modules (npm ci only when missing or stale)
if [ "${FORCE:-0}" = "1" ] || [ ! -d "$NM" ] || [ ! -f "$NM_STAMP" ] \
   || [ "$(cat "$NM_STAMP")" != "$NM_HASH" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "assets: ERROR: npm is not installed (apt-get install -y nodejs npm)" >&2
    exit 1
  fi
  echo "assets: npm ci"
  npm ci --no-audit --no-fund
  echo "$NM_HASH" > "$NM_STAMP"
else
  echo "assets: node_modules is up to date"
fi

# 2. copy into a temp dir, then swap in (never leave a half-built vendor dir)
mkdir -p "$(dirname "$VENDOR")"
TMP="$(mktemp -d "$(dirname "$VENDOR")/.vendor.tmp.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

for entry in "${FILES[@]}"; do
  src="$NM/${entry%%:*}"
  dest="$TMP/${entry#*:}"
  if [ ! -s "$src" ]; then
    echo "assets: ERROR: missing $src (package layout changed?)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$dest")"
  cp "$src" "$dest"
done
mkdir -p "$TMP/$FONT_DEST"
cp "$NM/$FONT_SRC"/* "$TMP/$FONT_DEST/"

# versions manifest (informational)
node -e '
  const pk = ["bpmn-js", "bpmn-js-properties-panel", "@bpmn-io/properties-panel", "echarts"];
  const out = {};
  for (const p of pk) out[p] = require("./node_modules/" + p + "/package.json").version;
  process.stdout.write(JSON.stringify(out, null, 2) + "\n");
' > "$TMP/versions.json"

echo "$VENDOR_HASH" > "$TMP/.stamp"
chmod -R a+rX "$TMP"

rm -rf "$VENDOR"
mv "$TMP" "$VENDOR"
trap - EXIT

echo "assets: built $VENDOR"
