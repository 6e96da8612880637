#!/bin/sh
# Refresh a reader's copy of the store from the Litestream replica, for a read-only Datasette
# (`chipwatch browse --db TARGET`): restore the latest state into a new file, check it, move it
# into place in one rename, then run the restart command, if given, so the reader opens the
# new file (a running Datasette keeps reading the file it opened).
#   deploy/refresh-replica.sh REPLICA_URL TARGET [RESTART_COMMAND...]
#   e.g. deploy/refresh-replica.sh file:///var/backups/chipwatch/replica \
#            /srv/chipwatch/chipwatch.db systemctl restart chipwatch-browse
# Run it from a timer as often as readers need fresh data. Needs `litestream` and `python3`.
set -eu
if [ $# -lt 2 ]; then
    echo "usage: $0 REPLICA_URL TARGET [RESTART_COMMAND...]" >&2
    exit 2
fi
replica=$1
target=$2
shift 2
fresh="$target.new"
rm -f "$fresh" "$fresh-wal" "$fresh-shm" "$fresh-txid"
litestream restore -integrity-check full -o "$fresh" "$replica"
python3 - "$fresh" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?immutable=1", uri=True)  # writes nothing beside it
result = db.execute("pragma integrity_check").fetchone()[0]
documents = db.execute("select count(*) from documents").fetchone()[0]
if result != "ok":
    sys.exit(f"the restored copy is damaged: {result}")
print(f"restored {sys.argv[1]}: integrity ok, {documents} documents")
PY
rm -f "$fresh-txid" "$fresh-wal" "$fresh-shm"
mv -f "$fresh" "$target"
if [ $# -gt 0 ]; then
    "$@"
fi
