#!/usr/bin/env bash
# Installs the Debian packages tidings uses: Apertium pairs into English, FreeDict X->English
# dictionaries, Chromium for browser tests and PostgreSQL. Runs apt only as root; otherwise prints
# the command for an administrator. Safe to run again: apt skips what is installed.
set -euo pipefail

APERTIUM="apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en apertium-eu-en
 apertium-hbs-eng apertium-isl-eng apertium-mkd-eng"
FREEDICT="dict-freedict-afr-eng dict-freedict-ara-eng dict-freedict-ces-eng dict-freedict-cym-eng
 dict-freedict-dan-eng dict-freedict-deu-eng dict-freedict-ell-eng dict-freedict-fin-eng
 dict-freedict-fra-eng dict-freedict-gle-eng dict-freedict-hrv-eng dict-freedict-hun-eng
 dict-freedict-ita-eng dict-freedict-jpn-eng dict-freedict-lat-eng dict-freedict-lit-eng
 dict-freedict-nld-eng dict-freedict-pol-eng dict-freedict-por-eng dict-freedict-slk-eng
 dict-freedict-slv-eng dict-freedict-srp-eng dict-freedict-swe-eng dict-freedict-swh-eng
 dict-freedict-tur-eng"
BROWSER="chromium"
DATABASE="postgresql"
PACKAGES="$APERTIUM $FREEDICT $BROWSER $DATABASE"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "setup-system: all Debian packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-system: please install these Debian packages as root:" >&2
  echo "  apt-get install -y$missing" >&2
  exit 0
fi
echo "setup-system: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "setup-system: done"
