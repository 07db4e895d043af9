#!/usr/bin/env bash
# The Debian packages the helpdesk needs besides what pip and npm install: the one list.
#
#   dev/system-packages.sh           install what is missing (`make system`; `make test`,
#                                    `make run` and `make setup` run it first). Quiet when
#                                    nothing is missing. As root it runs apt-get itself;
#                                    otherwise it stops at once and prints the command to run.
#   dev/system-packages.sh --check   each dependency, found or missing, with its version
#                                    (`make doctor`); exits non-zero when something is missing.
#   dev/system-packages.sh --list    the package names, one a line.
#
# HELPDESK_SYSTEM_PACKAGES="a b c" replaces the list (tests/core/test_setup.py uses it).
set -euo pipefail

PACKAGES=(
  python3-venv                 # the virtualenv under .venv
  gettext                      # msgfmt --check (tests/core/test_i18n.py)
  chromium                     # the browser tests and `make screenshots` (Playwright drives it)
  fonts-noto-core              # Arabic and Bengali glyphs in the browser and the screenshots
  mariadb-client               # mysql, mysqladmin (CI, tests on MariaDB)
  mariadb-server               # mariadbd: ToolsDB's engine (CI, the fault tests' private server)
  mediawiki                    # the throwaway wiki of the bot's tests (tests/mediawiki.py) ...
  php-cli php-sqlite3 php-intl php-mbstring php-xml  # ... and the PHP it runs on
  redis-server                 # shared rate limits and caches across workers
  dovecot-imapd                # an IMAP server for the mailbox job's tests
)
if [[ -n "${HELPDESK_SYSTEM_PACKAGES:-}" ]]; then
  read -r -a PACKAGES <<<"$HELPDESK_SYSTEM_PACKAGES"
fi

# Node.js and npm (axe-core for the accessibility checks) are checked by command, not by
# package: nodesource's nodejs carries its own npm, which Debian's npm package conflicts with.
NODE_PACKAGES=(nodejs npm)

# Programs whose version `--check` shows: name and the arguments that print it.
PROGRAMS=(
  "php -v"
  "chromium --version"
  "node --version"
  "npm --version"
  "mariadbd --version"
  "redis-server --version"
  "dovecot --version"
)

# "package version" for each installed package of the list (one dpkg-query for all).
installed_packages() {
  dpkg-query -W -f='${Package} ${db:Status-Status} ${Version}\n' "${PACKAGES[@]}" 2>/dev/null \
    | awk '$2 == "installed" { print $1, $3 }' || true
}

# The installed version of package $1 in the output of installed_packages ($2).
version_of() {
  awk -v p="$1" '$1 == p { print $2 }' <<<"$2"
}

missing_packages() {
  local installed pkg
  installed=$(installed_packages)
  for pkg in "${PACKAGES[@]}"; do
    [[ -n $(version_of "$pkg" "$installed") ]] || echo "$pkg"
  done
  command -v npm >/dev/null 2>&1 || printf '%s\n' "${NODE_PACKAGES[@]}"
}

# A program on PATH or in the sbin folders (mariadbd and dovecot live there).
find_program() {
  command -v "$1" 2>/dev/null && return 0
  local dir
  for dir in /usr/sbin /sbin /usr/local/sbin; do
    [[ -x "$dir/$1" ]] && { echo "$dir/$1"; return 0; }
  done
  return 1
}

check() {
  local installed pkg version line name path output status=0
  installed=$(installed_packages)
  echo "Debian packages (dev/system-packages.sh):"
  for pkg in "${PACKAGES[@]}"; do
    version=$(version_of "$pkg" "$installed")
    if [[ -n "$version" ]]; then
      printf '  found    %-20s %s\n' "$pkg" "$version"
    else
      printf '  missing  %s\n' "$pkg"
      status=1
    fi
  done
  echo "Programs:"
  for line in "${PROGRAMS[@]}"; do
    name=${line%% *}
    if path=$(find_program "$name"); then
      # The first line of the version output (chromium's wrapper chatters on stderr).
      output=$(timeout 30 "$path" ${line#* } 2>/dev/null | head -n 1 || true)
      printf '  found    %-20s %s\n' "$name" "${output:-(no version printed)}"
    else
      printf '  missing  %s\n' "$name"
      status=1
    fi
  done
  if ((status)); then
    echo "Something is missing: run \`make system\` (as root) or the command it prints." >&2
  fi
  return "$status"
}

install() {
  local missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    echo "dev/system-packages.sh: missing Debian packages: ${missing[*]}. Run:" >&2
    echo "sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

case "${1:-}" in
  "") install ;;
  --check) check ;;
  --list) printf '%s\n' "${PACKAGES[@]}" ;;
  *) echo "usage: $0 [--check | --list]" >&2; exit 2 ;;
esac
