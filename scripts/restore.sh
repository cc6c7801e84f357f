#!/usr/bin/env bash
# Restore a dump made by backup.sh into the PostgreSQL database named by DATABASE_URL:
# every table of the dump is dropped and recreated with the dump's rows, in one transaction
# (all or nothing). Asks for confirmation unless CONFIRM=yes.
#
# usage: scripts/restore.sh backups/hrprogram-<timestamp>.dump
set -euo pipefail

fail() { echo "restore: $*" >&2; exit 2; }

file="${1:-}"
[ -n "$file" ] || fail "name the dump to restore: make restore FILE=backups/hrprogram-<timestamp>.dump"
[ -f "$file" ] || fail "no such file: $file"
[ -n "${DATABASE_URL:-}" ] || fail "set DATABASE_URL to the PostgreSQL database to restore into."
case "$DATABASE_URL" in
  postgres://* | postgresql://*) url="$DATABASE_URL" ;;
  pgsql://*) url="postgresql://${DATABASE_URL#pgsql://}" ;;
  *) fail "DATABASE_URL is not PostgreSQL." ;;
esac
command -v pg_restore >/dev/null 2>&1 \
  || fail "pg_restore is missing: install the PostgreSQL client of the server's version (apt-get install postgresql-client-15)."
pg_restore --list "$file" >/dev/null || fail "$file is not a dump pg_restore can read."

# Name the target without its password.
target="${url#*://}"
target="${target#*@}"
if [ "${CONFIRM:-}" != "yes" ]; then
  echo "This replaces every table in $target with the contents of $file."
  printf 'Type yes to go on: '
  answer=""
  read -r answer || true
  [ "$answer" = "yes" ] || { echo "restore: cancelled; nothing was changed." >&2; exit 1; }
fi

pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error \
  --dbname="$url" "$file"
echo "restore: $file restored into $target."
