#!/usr/bin/env bash
# System packages the report tests need: Debian's chromium (real-browser test of the HTML
# report), poppler-utils (pdfinfo/pdftotext/pdftoppm for the PDF test), Pango (WeasyPrint's
# text layout) and fonts with good metrics for the HTML and PDF reports.
# Idempotent: installs only what is missing, and runs apt-get update only then.
set -euo pipefail

wanted=(chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation fonts-dejavu-core)
missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-reports: all present (${wanted[*]})"
  exit 0
fi

echo "setup-reports: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
