#!/bin/sh
# Starts PostgreSQL and waits (pg_ctl -w, at most 120 s) until it accepts connections, then runs
# the sshd image's own entrypoint: sshd announces itself only once both are ready.
set -eu

version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
mkdir -p /run/postgresql && chown postgres:postgres /run/postgresql

su postgres -c "/usr/lib/postgresql/$version/bin/pg_ctl start -w -t 120 \
  -D /var/lib/postgresql/$version/main \
  -o '-c config_file=/etc/postgresql/$version/main/postgresql.conf' \
  -l /var/log/postgresql/postgresql.log"

# Readable by the SSH user, so that a test can download it (SshMaster.download) after its run.
chmod 0644 /var/log/postgresql/postgresql.log

exec /usr/local/bin/muxtest-entrypoint
