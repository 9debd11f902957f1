#!/usr/bin/env bash
# Fails, listing them, when the documents cite repository paths that do not exist.
#
# Documents: README.md, ARCHITECTURE.md, BENCHMARKS.md, docs/*.md, core/README.md,
# std/README.md, macros/README.md, examples/*/README* (those that exist).
#
# What counts as a cited path:
# - the target of a markdown link that is not a URL or an anchor (`[text](path#anchor)`, or a
#   reference definition `[label]: path`), resolved from the document's directory;
# - a link into the repository by its address (the `repository` of Cargo.toml, then
#   `/blob/main/PATH` or `/tree/main/PATH`): PATH must exist from the root. The crate READMEs
#   link the documents this way, since docs.rs cannot resolve a relative link;
# - an inline code span that is one token of path characters and either contains a `/` or is
#   a file name with a source extension (`.rs`, `.md`, `.sh`, `.py`, `.toml`, `.x`). A path
#   that starts with a top-level directory of the repository (`tests/...`, `.ci/run`) must
#   exist from the root or the document's directory; any other path is cited in context
#   (ARCHITECTURE.md's codemap names `format/` under `core/`, docs name `build.rs` of the
#   example they describe), so it must exist from the root, the document's directory, or as
#   the end of some path in the repository; `*` is a glob that must match something;
# - inside fenced code blocks (commands, mostly), only words that start with one of the
#   repository's top-level directories (`core/`, `tests/`, `examples/`, ...).
#
# Not repository paths, so not checked:
# - code spans with white space (commands, prose in code), `::` (Rust paths), `<...>` (a
#   placeholder), `~` or a leading `/` (paths on the user's machine: `/dev/ttyUSB0`);
# - `target/...`: build outputs, which exist only after a build;
# - `../...` in fenced blocks; in links and code spans a path out of the repository is an
#   error (only what is in the repository can be relied on);
# - bare `.mock` names (`calls.mock`, `my.mock`): example file names in commands and prose;
# - the tokens in NOT_PATHS below (things with a `/` that are not paths).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Tokens with a `/` that are names, not paths.
NOT_PATHS=(
  "CRC-32/ISCSI"                     # the CRC catalogue's name of CRC-32C (docs/link.md)
  "mocks/billing/tests/converts.mock" # an example of the file a user's test gets (docs/clients.md)
  "server.py"                         # the reference's server, in its Python package (BENCHMARKS.md)
)

shopt -s nullglob
docs=()
for f in README.md ARCHITECTURE.md BENCHMARKS.md docs/*.md core/README.md std/README.md \
  macros/README.md examples/*/README*; do
  [ -f "$f" ] && docs+=("$f")
done

top_dirs=$(git ls-files | awk -F/ 'NF > 1 { print $1 }' | sort -u | paste -sd'|' -)
all_files=$(git ls-files)

# Prints "kind<TAB>token" for every candidate in one document.
extract() {
  awk -v top="^(${top_dirs//./\\.})/" '
    function flush(   text, s, rest, n, tok) {
      text = para; para = ""
      # Markdown links: ](target)
      rest = text
      while (match(rest, /\]\([^) ]+\)/)) {
        tok = substr(rest, RSTART + 2, RLENGTH - 3)
        print "link\t" tok
        rest = substr(rest, RSTART + RLENGTH)
      }
      # Inline code spans (single backticks; a span may run over lines of a paragraph).
      rest = text
      while (match(rest, /`[^`]+`/)) {
        tok = substr(rest, RSTART + 1, RLENGTH - 2)
        print "code\t" tok
        rest = substr(rest, RSTART + RLENGTH)
      }
    }
    /^[ \t]*```/ { if (fenced) { fenced = 0 } else { flush(); fenced = 1 }; next }
    fenced {
      n = split($0, words, /[ \t"'\''=(),;]+/)
      for (i = 1; i <= n; i++) if (words[i] ~ top) print "fenced\t" words[i]
      next
    }
    /^[ \t]*$/ { flush(); next }
    # A reference definition: [label]: target
    /^ *\[[^]]+\]:[ \t]+[^ \t]+/ {
      tok = $0; sub(/^ *\[[^]]+\]:[ \t]+/, "", tok); sub(/[ \t].*/, "", tok)
      print "link\t" tok
      next
    }
    { para = para " " $0 }
    END { flush() }
  ' "$1"
}

exists() { # path (relative to the repository root, may hold a glob)
  local p=${1%/}
  if [[ $p == *'*'* ]]; then
    compgen -G "$p" >/dev/null
  else
    [ -e "$p" ]
  fi
}

normalise() { # a/b/../c -> a/c; fails if it leaves the repository
  local IFS=/ part parts out=()
  read -ra parts <<<"$1"
  for part in "${parts[@]}"; do
    case $part in
      '' | .) ;;
      ..) [ ${#out[@]} -gt 0 ] || return 1; unset 'out[${#out[@]}-1]' ;;
      *) out+=("$part") ;;
    esac
  done
  printf '%s' "${out[*]}"
}

# The repository's address, whose /blob/main/ and /tree/main/ links are checked as paths.
repository=$(sed -n 's/^repository = "\(.*\)"/\1/p' Cargo.toml)

missing=0
report() { printf '%s: %s `%s` does not exist\n' "$1" "$2" "$3"; missing=$((missing + 1)); }

for doc in "${docs[@]}"; do
  dir=$(dirname "$doc")
  while IFS=$'\t' read -r kind tok; do
    case $kind in
      link)
        case $tok in "$repository"/blob/main/* | "$repository"/tree/main/*)
          path=${tok#"$repository"/*/main/}
          path=${path%%#*}
          exists "$path" || report "$doc" link "$tok"
          continue
          ;;
        esac
        case $tok in http://* | https://* | mailto:* | '#'*) continue ;; esac
        path=${tok%%#*}
        if ! resolved=$(normalise "$dir/$path") || ! exists "$resolved"; then
          report "$doc" link "$tok"
        fi
        ;;
      code | fenced)
        # One token of path characters, not a placeholder, a Rust path or a machine path.
        [[ $tok =~ ^[A-Za-z0-9_.*/-]+$ ]] || continue
        [[ $tok == /* || $tok == target/* ]] && continue
        for np in "${NOT_PATHS[@]}"; do [ "$tok" = "$np" ] && continue 2; done
        if [[ $tok == */* ]]; then
          [ "$kind" = fenced ] && [[ $tok == ../* ]] && continue
          if resolved=$(normalise "$tok") && exists "$resolved"; then continue; fi
          if resolved=$(normalise "$dir/$tok") && exists "$resolved"; then continue; fi
          if [[ ! $tok =~ ^($top_dirs)/ && $tok != .* ]] &&
            grep -qE "(^|/)$(sed 's/[.*]/\\&/g' <<<"${tok%/}")(/|\$)" <<<"$all_files"; then
            continue
          fi
          report "$doc" path "$tok"
        elif [[ $tok =~ \.(rs|md|sh|py|toml|x)$ ]]; then
          grep -qxE "(.*/)?${tok//./\\.}" <<<"$all_files" || report "$doc" file "$tok"
        fi
        ;;
    esac
  done < <(extract "$doc")
done

if [ "$missing" -gt 0 ]; then
  echo "$missing cited path(s) missing" >&2
  exit 1
fi
echo "cited paths: all ${#docs[@]} documents checked, none missing"
