#!/bin/sh
# Build time: PostgreSQL on its UNIX socket only, and a role and database for the SSH user.
set -eu

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
conf=/etc/postgresql/$version/main
data=/var/lib/postgresql/$version/main

# No TCP listener at all; no TLS on a socket that never leaves the container.
printf "listen_addresses = ''\nssl = off\n" > "$conf/conf.d/muxtest.conf"

# sshd connects to the socket as the SSH user (tester), and Debian's pg_hba.conf lets a local
# connection in as the role of the same name as its peer (peer authentication): no password.
mkdir -p /run/postgresql && chown postgres:postgres /run/postgresql
for statement in "CREATE ROLE tester LOGIN;" "CREATE DATABASE tester OWNER tester;"; do
  echo "$statement" \
    | su postgres -c "/usr/lib/postgresql/$version/bin/postgres --single -D $data -c config_file=$conf/postgresql.conf postgres" >/dev/null
done
