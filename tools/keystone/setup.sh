#!/usr/bin/env bash
# Builds a Keystone for the tests, once per machine and recipe, from PyPI only: a venv of its
# own with requirements.txt beside this script (Keystone 30.0.0 and gunicorn, all pinned), and
# a SQLite database migrated by `keystone-manage db_sync`, which tests/keystone_server.py
# copies instead of migrating again for every server. Everything lives under
# $K/<recipe>/ (K default: ~/.cache/multinic-keystone), where <recipe> hashes requirements.txt,
# this script and the Python version: changing any of them builds a new entry and removes the
# old ones. Idempotent; quick once cached. Prints the entry's directory on its last line.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PYTHON=${PYTHON:-python3}
K=${K:-${XDG_CACHE_HOME:-$HOME/.cache}/multinic-keystone}
RECIPE=$( (cat "$HERE/requirements.txt" "$HERE/setup.sh"; "$PYTHON" -VV) | sha256sum | cut -c1-16)
ENTRY=$K/$RECIPE
mkdir -p "$K"
# One builder at a time (make test and a pytest run started beside it may both ask).
exec 9>"$K/.lock"
flock 9
if [ ! -f "$ENTRY/ready" ]; then
  # Built in place (a venv's scripts name its path); "ready" is written last, so an entry
  # without it is a build that was interrupted, and is started over.
  started=$(date +%s)
  rm -rf "$ENTRY"
  mkdir -p "$ENTRY"
  "$PYTHON" -m venv "$ENTRY/venv"
  # Quiet pip: this machine's extra index paths print a warning per package.
  "$ENTRY/venv/bin/pip" install -q -r "$HERE/requirements.txt" 2>&1 \
    | { grep -v '^WARNING' || true; } >&2
  [ -x "$ENTRY/venv/bin/keystone-manage" ] && [ -x "$ENTRY/venv/bin/gunicorn" ]
  # The schema is the same for every server: migrate once, here.
  printf '[database]\nconnection = sqlite:///%s/keystone-migrated.db\n' "$ENTRY" \
    > "$ENTRY/db_sync.conf"
  "$ENTRY/venv/bin/keystone-manage" --config-file "$ENTRY/db_sync.conf" db_sync \
    > "$ENTRY/db_sync.log" 2>&1 || { cat "$ENTRY/db_sync.log" >&2; exit 1; }
  echo "built in $(( $(date +%s) - started )) s, venv $(du -sh "$ENTRY/venv" | cut -f1)" \
    > "$ENTRY/ready"
  # Older recipes' entries are of no further use.
  find "$K" -mindepth 1 -maxdepth 1 -type d ! -name "$RECIPE" -exec rm -rf {} +
fi
echo "keystone ready under $ENTRY ($(cat "$ENTRY/ready"))" >&2
echo "$ENTRY"
