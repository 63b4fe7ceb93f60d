#!/bin/sh
# Regenerates the pinned sets from the .in files with uv (pip install uv), for the image's
# Python 3.11 on Linux x86_64 (the hashes cover every platform's files of each pinned
# release, so an arm64 build installs the same versions). Run from anywhere:
#
#   sh requirements/compile.sh                              # keep current pins, add what is new
#   sh requirements/compile.sh --upgrade                    # newest versions the .in files allow
#   sh requirements/compile.sh --upgrade-package fastapi    # just one package (and what it needs)
#
# hub.txt          the lock the image installs with --require-hashes
# constraints.txt  the same pins without hashes, for `pip install -c`
# build.txt        the build backend the builder stage installs with --require-hashes
set -eu
cd "$(dirname "$0")/.."

compile() {
    uv pip compile --quiet --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
        --custom-compile-command "sh requirements/compile.sh" "$@"
}

compile requirements/hub.in --generate-hashes -o requirements/hub.txt "$@"
compile requirements/hub.in -c requirements/hub.txt --no-annotate -o requirements/constraints.txt
compile requirements/build.in --generate-hashes -o requirements/build.txt "$@"
