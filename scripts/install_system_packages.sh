#!/usr/bin/env bash
# Install the Debian packages the book needs: the Fashion-MNIST dataset, CJK
# fonts for plots, MathJax for offline pages, and Chromium with its driver
# for the browser tests.
# Does nothing for packages already present; without apt or root it only says
# what is missing, since every package also has another route (D2L_DATA_DIR,
# MathJax from a CDN, a browser on PATH).
set -euo pipefail
packages=(dataset-fashion-mnist fonts-noto-cjk libjs-mathjax chromium chromium-driver)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "note: no apt-get; not installing ${missing[*]}" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "note: not root; install these yourself: apt-get install ${missing[*]}" >&2
    exit 0
  fi
fi
echo "installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
