#!/usr/bin/env bash
# Every Catch2 test case must be exactly one ctest entry named PREFIX + name.
# catch_discover_tests reads the names as a CMake list: a ';' splits a name
# into entries whose specs match nothing, an unbalanced '[' merges it with
# the names after it; either way cases silently never ran.
# Usage: check_catch_discovery.sh BUILD_DIR PREFIX BINARY [PREFIX BINARY]...
set -uo pipefail
build=$1
shift
entries=$(cd "$build" && ctest -N | sed -n 's/^ *Test *#[0-9]*: //p') || exit 1
status=0
while [ $# -ge 2 ]; do
  prefix=$1 binary=$2
  shift 2
  # --list-test-names-only exits with the number of tests, not 0.
  listed=$("$binary" --list-test-names-only | awk -v p="$prefix" 'length($0) { print p $0 }' | sort)
  found=$(printf '%s\n' "$entries" | awk -v p="$prefix" 'index($0, p) == 1' | sort)
  if [ "$listed" != "$found" ]; then
    echo "$binary: $(printf '%s\n' "$listed" | grep -c .) test cases but" \
      "$(printf '%s\n' "$found" | grep -c .) ctest entries; differences (< listed, > ctest):"
    diff <(printf '%s\n' "$listed") <(printf '%s\n' "$found") | grep '^[<>]'
    status=1
  fi
done
exit $status
