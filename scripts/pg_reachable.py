"""Exit 0 if the PostgreSQL server in the given database URL accepts connections."""

import sys

import psycopg
from dj_database_url import parse

config = parse(sys.argv[1])
try:
    psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=3,
    ).close()
except psycopg.OperationalError:
    sys.exit(1)
