#!/bin/sh
# Sets the password of the user postgres (POSTGRES_PASSWORD, default muxtest), then runs the
# package's default cluster in the foreground, logging to stderr (the container log), listening on
# every address of the container (it is meant for internal networks only).
set -eu

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
bin=/usr/lib/postgresql/$version/bin
conf=/etc/postgresql/$version/main
data=/var/lib/postgresql/$version/main

mkdir -p /run/postgresql && chown postgres:postgres /run/postgresql
echo "host all all 0.0.0.0/0 scram-sha-256" >> "$conf/pg_hba.conf"

echo "ALTER USER postgres PASSWORD '${POSTGRES_PASSWORD:-muxtest}';" \
  | su postgres -c "$bin/postgres --single -D $data -c config_file=$conf/postgresql.conf -c ssl=off postgres" >/dev/null

exec su postgres -c "exec $bin/postgres -D $data -c config_file=$conf/postgresql.conf -c ssl=off -c listen_addresses='*'"
