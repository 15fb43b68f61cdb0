#!/bin/sh
# Entry point of the "lb" service: point nginx's resolver at the container's DNS server
# (Docker's embedded 127.0.0.11, or podman's network gateway), then run nginx in the
# foreground as the container's one process.
set -eu
ns=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf)
case "$ns" in *:*) ns="[$ns]" ;; esac
echo "resolver ${ns:-127.0.0.11} valid=5s ipv6=off;" > /tmp/nginx-resolver.conf
exec nginx -g 'daemon off;'
