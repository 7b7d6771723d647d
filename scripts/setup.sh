#!/usr/bin/env bash
# Installs the real parts bindy-loadtest drives (BIND9, dnsperf, kubectl) and what its report tests
# use (chromium for the HTML report's browser test, prometheus-pushgateway, and prometheus with
# promtool and prometheus-bind-exporter for the deploy/loadtest and dashboards tests) from
# Debian's packages.
# Idempotent: installs only what is missing (judged by the commands, so a kubectl from another
# source counts). Needs root (or sudo) when something is missing.
set -euo pipefail

# command → Debian package that provides it
declare -A NEEDED=(
  [named]=bind9
  [rndc]=bind9-utils
  [named-checkzone]=bind9-utils
  [nsupdate]=bind9-dnsutils
  [dig]=bind9-dnsutils
  [dnsperf]=dnsperf
  [kubectl]=kubernetes-client
  [chromium]=chromium
  [prometheus-pushgateway]=prometheus-pushgateway
  [promtool]=prometheus
  [prometheus]=prometheus
  [prometheus-bind-exporter]=prometheus-bind-exporter
)
missing=()
for cmd in "${!NEEDED[@]}"; do
  if ! command -v "$cmd" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$cmd" ]; then
    pkg="${NEEDED[$cmd]}"
    [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
  fi
done
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: named, rndc, nsupdate, dig, dnsperf, kubectl, chromium, prometheus-pushgateway, prometheus, promtool and prometheus-bind-exporter are present"
else
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  # The bind9 package may try to start a system named; the sandbox never uses it (it runs its own).
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's own kubectl (kubernetes-client, 1.20 on bookworm), unpacked beside any other kubectl the
# machine has, so the API server twin's kubectl tests also run with the client a fresh Debian user
# gets (it reads /openapi/v2 as protobuf; newer ones read v3). Nothing is installed system-wide.
DEB_KUBECTL_DIR=/opt/bindy-loadtest/kubernetes-client
if [ ! -x "$DEB_KUBECTL_DIR/usr/bin/kubectl" ] && ! dpkg -s kubernetes-client >/dev/null 2>&1; then
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get download -qq kubernetes-client >/dev/null 2>&1); then
    $SUDO apt-get update -qq
    (cd "$tmp" && apt-get download -qq kubernetes-client >/dev/null)
  fi
  $SUDO mkdir -p "$DEB_KUBECTL_DIR"
  $SUDO dpkg -x "$tmp"/kubernetes-client_*.deb "$DEB_KUBECTL_DIR"
  rm -rf "$tmp"
  echo "setup: Debian's kubectl unpacked in $DEB_KUBECTL_DIR"
fi
echo "setup: done"
