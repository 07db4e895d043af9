#!/usr/bin/env bash
# Install Debian's MediaWiki and the PHP pieces the throwaway test wiki needs
# (tests/mediawiki.py). Idempotent: apt is only touched when a package is missing.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
PACKAGES=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if ((${#missing[@]})); then
  apt-get update -qq
  apt-get install -y --no-install-recommends "${PACKAGES[@]}"
fi

php -r 'echo "PHP ", PHP_VERSION, PHP_EOL;'
dpkg-query -W -f='mediawiki ${Version}\n' mediawiki
