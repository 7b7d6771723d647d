#!/usr/bin/env bash
# Starts the local registry a kind cluster made from kind-config.yaml pulls from, as kind documents
# it: a registry:2 container `kind-registry` published on 127.0.0.1:5001, a hosts.toml on every
# node mapping localhost:5001 to it, the container joined to the `kind` network, and the
# local-registry-hosting ConfigMap (KEP-1755) so tools discover it. Idempotent.
# Usage: bash deploy/loadtest/registry.sh [cluster-name]   (default bindy-loadtest)
# Then: docker tag IMAGE localhost:5001/IMAGE && docker push localhost:5001/IMAGE
set -euo pipefail

cluster="${1:-bindy-loadtest}"
name=kind-registry
port=5001
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null || true)" != 'true' ]; then
  docker run -d --restart=always -p "127.0.0.1:${port}:5000" --network bridge --name "$name" registry:2 >/dev/null
fi

dir="/etc/containerd/certs.d/localhost:${port}"
for node in $(kind get nodes --name "$cluster"); do
  docker exec "$node" mkdir -p "$dir"
  printf '[host."http://%s:5000"]\n' "$name" | docker exec -i "$node" cp /dev/stdin "$dir/hosts.toml"
done

if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$name")" = 'null' ]; then
  docker network connect kind "$name"
fi

kubectl --context "kind-${cluster}" apply -f "$here/local-registry-hosting.yaml"
echo "registry: localhost:${port} serves cluster ${cluster}"
