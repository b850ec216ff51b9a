#!/bin/sh
# Checks that every tracked C/C++ source follows the repository's
# .clang-format: lists each file clang-format would change and fails if there
# is any. Part of scripts/test.sh (the README's test command).
#
#   scripts/check-format.sh          check (exit 1 and the list on a diff)
#   scripts/check-format.sh --fix    reformat those files in place
#   scripts/check-format.sh FILE...  check only these files
#
# Third-party and generated code is not ours to format: nothing of the kind
# is tracked today; EXCLUDE below is where it would go.
set -eu
cd "$(dirname "$0")/.."

EXCLUDE='^(third_party|third-party|build[^/]*)/'

clang_format=
for c in clang-format-14 clang-format; do
    if command -v "$c" >/dev/null 2>&1; then
        clang_format=$c
        break
    fi
done
if [ -z "$clang_format" ]; then
    echo "check-format: clang-format not found (Debian package clang-format," \
         "installed by scripts/install-deps.sh)" >&2
    exit 2
fi

fix=0
if [ "${1:-}" = "--fix" ]; then
    fix=1
    shift
fi

list=$(mktemp)
trap 'rm -f "$list"' EXIT
if [ $# -gt 0 ]; then
    printf '%s\n' "$@" >"$list"
elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -- '*.c' '*.cc' '*.cpp' '*.h' '*.hpp' | grep -Ev "$EXCLUDE" >"$list" || true
else
    find . -name build -prune -o -type f \( -name '*.c' -o -name '*.cc' -o -name '*.cpp' \
        -o -name '*.h' -o -name '*.hpp' \) -print | sed 's|^\./||' | grep -Ev "$EXCLUDE" \
        | sort >"$list" || true
fi

if [ "$fix" = 1 ]; then
    xargs "$clang_format" -i <"$list"
    echo "check-format: reformatted $(wc -l <"$list") files with $clang_format"
    exit 0
fi

# One clang-format per file, as many at a time as there are cores (the check
# is a step of scripts/test.sh, decision 36). Compare the formatted text
# itself: clang-format 14's --dry-run flags
# `} // namespace hv::inline HV_ARCH_NS` with a replacement that changes
# nothing.
differ=$(mktemp)
trap 'rm -f "$list" "$differ"' EXIT
xargs -r -d '\n' -n 1 -P "$(nproc)" sh -c '"$0" "$1" | cmp -s - "$1" || echo "$1"' \
    "$clang_format" <"$list" | sort >"$differ"
total=$(grep -c . "$list" || true)
bad=$(grep -c . "$differ" || true)
if [ "$bad" != 0 ]; then
    echo "check-format: these files differ from .clang-format ($clang_format):"
    sed 's/^/  /' "$differ"
fi

if [ "$bad" != 0 ]; then
    echo "check-format: $bad of $total files need formatting;" \
         "see a diff with '$clang_format --dry-run FILE', fix with 'scripts/check-format.sh --fix'"
    exit 1
fi
echo "check-format: $total files follow .clang-format"
