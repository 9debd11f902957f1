#!/bin/sh
# A release script that asks git what it is releasing. Recorded once with the real git,
# replayed afterwards with no git at all (tests/command_line/example.rs replays it in CI):
#
#   capturemock -m 1 -r examples/command_line/git.mock -R examples/command_line/git.rc -- sh examples/command_line/release.sh
#   capturemock -m 0 -p examples/command_line/git.mock -R examples/command_line/git.rc -- sh examples/command_line/release.sh
set -e
commit=$(git rev-parse --short=12 HEAD)
subject=$(git log -1 --format=%s)
echo "release notes for $commit:"
echo "- $subject"
