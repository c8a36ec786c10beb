#!/usr/bin/env bash
# One-step set-up on Debian/Ubuntu: system packages, the .venv virtual environment, the project.
#   scripts/setup.sh          what the kiosk and the platform need to run
#   scripts/setup.sh --test   also what the test suite needs (PostgreSQL, Chromium, test tools)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# fonts-wqy-microhei: a TrueType CJK font the platform embeds in its PDFs (ReportLab cannot use
# Noto CJK's CFF outlines). poppler-utils (pdftoppm): the tests render those PDFs to images.
run_pkgs=(espeak-ng fonts-noto-cjk fonts-wqy-microhei sox xvfb xauth
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-image0
  libxcb-render-util0 libxcb-xinerama0 libxcb-randr0 python3-venv)
# chromium: Debian's browser, driven by Playwright in the console tests (never `playwright
# install`, which downloads a browser build of its own). Ubuntu has it only as a snap: where apt
# has no such package, the browser tests are skipped (they fail under CI=true).
# valgrind: the benchmarks count the instructions to the kiosk's first frame (kiosk_startup).
test_pkgs=(postgresql chromium poppler-utils valgrind)
optional_pkgs=" chromium "

pkgs=("${run_pkgs[@]}")
[ "$want_test" = 1 ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo_cmd apt-get update -qq
    wanted=()
    for p in "${missing[@]}"; do
      if [[ "$optional_pkgs" == *" $p "* ]] && ! apt-cache show "$p" 2>/dev/null | grep '^Version:' >/dev/null; then
        echo "warning: apt has no package $p here; the tests that need it will be skipped" >&2
      else
        wanted+=("$p")
      fi
    done
    [ ${#wanted[@]} -eq 0 ] ||
      DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
  else
    echo "warning: not a Debian/Ubuntu system; please install: ${missing[*]}" >&2
  fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
extra=""
[ "$want_test" = 1 ] && extra="[test]"
stamp=".venv/.installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null
  .venv/bin/python -m pip install -q -e ".$extra"
  touch "$stamp"
fi
# The kiosk's own modules compiled now, as pip compiles what it installs: no start pays for
# it, not even where the kiosk's user may not write __pycache__ (up-to-date ones are skipped).
.venv/bin/python -m compileall -q kiosk ui >/dev/null
# The staff keyboard's pinyin index, built once from pinyinIME's data (some seconds and 300 MB
# for the while) into .venv/share/elder-kiosk/, where the kiosk's user reads it; kept while up
# to date (kiosk/pinyin_index.py).
.venv/bin/python -m kiosk.pinyin_index
echo "Set-up complete: .venv is ready."
