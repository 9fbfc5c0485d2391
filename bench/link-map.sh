#!/bin/sh
# Where the static vigil's bytes go: relinks build-static's vigil with a
# link map (the same objects and flags, unstripped so the map is whole) and
# sums the allocated sections by what they came from. Prints a Markdown
# table. Run after build-static is built (bench/run.sh does).
#   bench/link-map.sh [BUILD_DIR]      (default build-static)
set -eu
cd "$(dirname "$0")/.."
build=${1:-build-static}
map=$(mktemp)
binary=$(mktemp)
trap 'rm -f "$map" "$binary"' EXIT
link=$(cd "$build" && ninja -t commands vigil | tail -n 1)
# The same link, to a scratch file, with a map. -s only strips symbols, which
# the map does not count; dropping it changes no section.
(cd "$build" && eval "$(printf '%s' "$link" | sed "s| -s | |; s| -o vigil | -o $binary |") -Wl,-Map,$map")
awk -v stripped="$(stat -c %s "$build/vigil")" '
    function hex(text,    i, value) {  # mawk has no strtonum
        value = 0
        text = tolower(substr(text, 3))
        for (i = 1; i <= length(text); i++) value = value * 16 + index("0123456789abcdef", substr(text, i, 1)) - 1
        return value
    }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    # An output section: ".text  0xADDR  0xSIZE" at the start of the line.
    /^\.[^ ]+/ { out = $1; next }
    # An input section, on one line or with the name on the line before.
    /^ \.[^ ]+ *$/ { pending = 1; next }
    {
        if (out == "" || out ~ /^\.(debug|comment|note|gnu\.attributes|symtab|strtab|shstrtab)/) { pending = 0; next }
        line = $0
        if (pending && line ~ /^ +0x[0-9a-f]+ +0x[0-9a-f]+ /) { split(line, f, " "); size = f[2]; from = f[3] }
        else if (line ~ /^ \.[^ ]+ +0x[0-9a-f]+ +0x[0-9a-f]+ /) { split(line, f, " "); size = f[3]; from = f[4] }
        else { pending = 0; next }
        pending = 0
        bytes = hex(size)
        if (bytes == 0) next
        if (from ~ /libc\.a\(/) what = "glibc (libc.a)"
        else if (from ~ /libstdc\+\+\.a\(/) what = "C++ library (libstdc++.a)"
        else if (from ~ /libgcc_eh\.a\(/) what = "unwinder (libgcc_eh.a)"
        else if (from ~ /libgcc\.a\(/) what = "libgcc.a"
        else if (from ~ /libcap\.a\(/) what = "libcap.a"
        else if (from ~ /libm[-.0-9]*\.a\(/) what = "libm.a"
        else if (from ~ /ltrans|vigil|\.cpp\.o/) what = "vigil (with the spdlog and fmt it uses)"
        else what = "C runtime start files (crt*.o)"
        kind = (out ~ /^\.t?bss$/) ? "bss" : "file"
        sum[what, kind] += bytes; total[what] += bytes; names[what] = 1
        if (kind == "file") all += bytes
    }
    END {
        printf "| from | in the file | zero-filled (bss) |\n|---|---|---|\n"
        n = 0
        for (w in names) order[++n] = w
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (sum[order[j], "file"] > sum[order[i], "file"]) { t = order[i]; order[i] = order[j]; order[j] = t }
        for (i = 1; i <= n; i++) printf "| %s | %d B (%.1f %%) | %d B |\n", order[i], sum[order[i], "file"], 100 * sum[order[i], "file"] / all, sum[order[i], "bss"]
        printf "| **all sections** | %d B | |\n", all
        printf "\nThe stripped binary is %d B: sections plus ELF headers and alignment.\n", stripped
    }' "$map"
