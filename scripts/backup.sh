#!/usr/bin/env bash
# Dump the PostgreSQL database named by DATABASE_URL to
# ${BACKUP_DIR:-backups}/hrprogram-<UTC timestamp>.dump (pg_dump custom format) and print its path.
#
# The dump holds everything, participant profiles included: it is written readable by its owner
# only. Participant codes in it are HMACs; PARTICIPANT_CODE_SECRET is NOT in the dump and must
# be kept (apart, and safely) with the backups, or codes cannot be looked up after a restore.
set -euo pipefail

fail() { echo "backup: $*" >&2; exit 2; }

[ -n "${DATABASE_URL:-}" ] || fail "set DATABASE_URL to the PostgreSQL database to back up."
case "$DATABASE_URL" in
  postgres://* | postgresql://*) url="$DATABASE_URL" ;;
  pgsql://*) url="postgresql://${DATABASE_URL#pgsql://}" ;;
  *) fail "DATABASE_URL is not PostgreSQL; a SQLite development database is just its file." ;;
esac
command -v pg_dump >/dev/null 2>&1 \
  || fail "pg_dump is missing: install the PostgreSQL client of the server's version (apt-get install postgresql-client-15)."

backup_dir="${BACKUP_DIR:-backups}"
umask 077
mkdir -p "$backup_dir"
file="$backup_dir/hrprogram-$(date -u +%Y%m%dT%H%M%SZ).dump"
[ ! -e "$file" ] || fail "$file already exists; try again in a second."

# Written under a temporary name first, so a failed dump never looks like a backup.
pg_dump --format=custom --compress=6 --file="$file.partial" --dbname="$url"
mv "$file.partial" "$file"
echo "$file"
