#!/bin/sh
# Container start: wait for the database, apply migrations, create the cache table, then run CMD.
# RUN_MIGRATIONS=0 on all but one instance when several start at once (see docs/DEPLOYMENT.md).
set -eu

python - <<'PY'
import os, sys, time
import django
django.setup()
from django.db import connection
from django.db.utils import OperationalError
deadline = time.monotonic() + int(os.environ.get("DB_WAIT_SECONDS", "60"))
while True:
    try:
        connection.ensure_connection()
        break
    except OperationalError as exc:
        if time.monotonic() > deadline:
            print(f"database not reachable: {exc}", file=sys.stderr)
            sys.exit(1)
        time.sleep(1)
PY

if [ "${RUN_MIGRATIONS:-1}" = "1" ]; then
    python manage.py migrate --noinput
    python manage.py createcachetable
fi

exec "$@"
