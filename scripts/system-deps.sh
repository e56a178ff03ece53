#!/usr/bin/env bash
# Debian packages the tests use that pip cannot install: chromium (browser tests), sqlmap and wrk
# (end-to-end attacks), wfuzz (its wordlists feed the injection evaluation on public payloads). Installed only when missing and when this user can run apt-get.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v sqlmap >/dev/null 2>&1 || need+=(sqlmap)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
[ -d /usr/share/wfuzz/wordlist ] || need+=(wfuzz)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: ${need[*]} missing and cannot be installed here; the tests that need them are skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
