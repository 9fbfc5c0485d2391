#!/bin/bash
# The man page renders with no warning from groff (-ww: every kind of warning).
#   tests/check-man.sh MAN_PAGE
. "$(dirname "$0")/cannot-run.sh"
command -v groff >/dev/null || cannot_run man-page "groff (Debian's groff-base) is not installed"
warnings=$(groff -man -ww -z "$1" 2>&1) || { echo "$warnings"; exit 1; }
[ -z "$warnings" ] || { echo "groff warns about $1:"; echo "$warnings"; exit 1; }
