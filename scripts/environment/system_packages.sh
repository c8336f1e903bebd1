#!/usr/bin/env bash
# Install the Debian packages the book needs: the Fashion-MNIST dataset, CJK
# fonts for plots and PDFs, MathJax for offline pages, Chromium with its driver
# for the browser tests, and for the PDFs XeLaTeX (with xeCJK for Chinese;
# Korean needs no TeX package), SVG conversion and PDF tools (TeX without its
# recommended extras, which are documentation and gigabytes).
# Does nothing for packages already present; without apt or root it only says
# what is missing, since every package also has another route (D2L_DATA_DIR,
# MathJax from a CDN, a browser on PATH).
set -euo pipefail
packages=(dataset-fashion-mnist fonts-noto-cjk libjs-mathjax chromium chromium-driver)
tex=(texlive-xetex texlive-lang-chinese texlive-latex-recommended
     texlive-latex-extra texlive-fonts-recommended latexmk fonts-freefont-otf fonts-dejavu-core
     librsvg2-bin poppler-utils)
absent() {
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}
mapfile -t missing < <(absent "${packages[@]}")
mapfile -t missing_tex < <(absent "${tex[@]}")
[ ${#missing[@]} -eq 0 ] && [ ${#missing_tex[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "note: no apt-get; not installing ${missing[*]} ${missing_tex[*]}" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "note: not root; install these yourself: apt-get install ${missing[*]} ${missing_tex[*]}" >&2
    exit 0
  fi
fi
echo "installing ${missing[*]} ${missing_tex[*]}"
$sudo apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ${#missing_tex[@]} -gt 0 ]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing_tex[@]}" >/dev/null
fi
