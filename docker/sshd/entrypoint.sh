#!/bin/sh
# Starts the optional background services, then runs sshd in the foreground, logging to stderr
# (the container log).
set -eu

if [ ! -s /etc/ssh/muxtest_host_key ]; then
  # Started without a key from muxtest (plain `docker run`): make one for this container.
  ssh-keygen -q -t ecdsa -b 256 -N '' -f /etc/ssh/muxtest_host_key
fi
chmod 0600 /etc/ssh/muxtest_host_key
chmod 0755 /etc/ssh/authorized_keys
for keys in /etc/ssh/authorized_keys/*; do
  [ -f "$keys" ] && chmod 0644 "$keys" 2>/dev/null || true
done

for service in /etc/muxtest/init.d/*; do
  [ -f "$service" ] || continue
  name=$(basename "$service")
  echo "muxtest: starting background service $name" >&2
  setsid sh "$service" >"/var/log/muxtest-$name.log" 2>&1 </dev/null &
done

/usr/sbin/sshd -t
exec /usr/sbin/sshd -D -e
