#!/usr/bin/env bash
# The interactive assessment's real-terminal test runs the app inside tmux.
set -euo pipefail
if command -v tmux >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends tmux
