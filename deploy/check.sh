#!/usr/bin/env bash
# What can be checked of deploy/ without a Docker daemon, a registry of images or a cluster
# (`make deploy-check`; deploy/README.md says what else was and was not run): compose.yaml against the
# Compose specification's schema, and every Kubernetes manifest, as kustomize renders both layouts,
# against the Kubernetes API's schemas (strict: an unknown field fails), by tools from PyPI.
set -euo pipefail
cd "$(dirname "$0")"
VENV=../.venv-deploy
if [ ! -x "$VENV/bin/kubernetes-validate" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet 'kubernetes-validate==1.37.0' 'check-jsonschema==0.39.0'
fi
"$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec compose.yaml
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
if command -v kubectl >/dev/null; then
  kubectl kustomize k8s > "$rendered/base.yaml"
  kubectl kustomize k8s-redis-cluster > "$rendered/redis-cluster.yaml"
  manifests=("$rendered"/*.yaml k8s/secret.example.yaml)
else  # no kustomize here: each manifest as written (the overlay's patches are not rendered)
  echo "deploy-check: kubectl not found, validating the manifests unrendered" >&2
  manifests=(k8s/namespace.yaml k8s/configmap.yaml k8s/deployment.yaml k8s/service.yaml k8s/hpa.yaml
             k8s/pdb.yaml k8s/redis.yaml k8s/secret.example.yaml)
fi
"$VENV/bin/kubernetes-validate" --strict --quiet "${manifests[@]}"
echo "deploy-check: compose.yaml and the Kubernetes manifests are valid"
