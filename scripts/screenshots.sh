#!/usr/bin/env bash
# Regenerates docs/screenshots/ from the real app on a virtual X screen.
set -euo pipefail
cd "$(dirname "$0")/.."
exec xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/screenshots.py
