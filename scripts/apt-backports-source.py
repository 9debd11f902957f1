#!/usr/bin/env python3
"""Prints an apt source (deb822) for CODENAME-backports, made from the machine's own apt
configuration: the first enabled Debian source for CODENAME, with only its suite changed. So
the mirror is whatever this machine already uses; no host name is written here.

Usage: apt-backports-source.py CODENAME  (for example bookworm)
APT_ROOT=DIR reads DIR/etc/apt instead of /etc/apt (to try it out).
"""
import glob
import os
import sys

ROOT = os.environ.get("APT_ROOT", "")


def deb822_stanzas(text):
    """Yields each stanza of a .sources file as an ordered list of [field, value]."""
    stanza = []
    for line in text.splitlines():
        if not line.strip():
            if stanza:
                yield stanza
            stanza = []
        elif line.startswith("#"):
            continue
        elif line[0] in " \t" and stanza:
            stanza[-1][1] += "\n" + line
        elif ":" in line:
            field, value = line.split(":", 1)
            stanza.append([field.strip(), value.strip()])
    if stanza:
        yield stanza


def from_deb822(codename):
    for path in sorted(glob.glob(ROOT + "/etc/apt/sources.list.d/*.sources")):
        with open(path, encoding="utf-8") as f:
            for stanza in deb822_stanzas(f.read()):
                fields = {k.lower(): v for k, v in stanza}
                if fields.get("enabled", "yes").lower() == "no":
                    continue
                if "deb" not in fields.get("types", "").split():
                    continue
                if codename not in fields.get("suites", "").split():
                    continue
                lines = []
                for field, value in stanza:
                    if field.lower() == "suites":
                        value = codename + "-backports"
                    elif field.lower() == "types":
                        value = "deb"
                    lines.append(f"{field}: {value}")
                return "\n".join(lines)
    return None


def from_one_line(codename):
    """The same from a one-line entry (`deb [options] URI SUITE COMPONENTS...`), as deb822."""
    paths = [ROOT + "/etc/apt/sources.list"]
    paths += sorted(glob.glob(ROOT + "/etc/apt/sources.list.d/*.list"))
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            words = line.split("#", 1)[0].split()
            if not words or words[0] != "deb":
                continue
            options = []
            words = words[1:]
            if words and words[0].startswith("["):
                while words:
                    word = words.pop(0)
                    options.append(word.strip("[]"))
                    if word.endswith("]"):
                        break
            if len(words) < 3 or words[1] != codename:
                continue
            fields = [
                ("Types", "deb"),
                ("URIs", words[0]),
                ("Suites", codename + "-backports"),
                ("Components", " ".join(words[2:])),
            ]
            names = {"signed-by": "Signed-By", "arch": "Architectures", "trusted": "Trusted"}
            for option in filter(None, options):
                name, _, value = option.partition("=")
                fields.append((names.get(name, name), value))
            return "\n".join(f"{field}: {value}" for field, value in fields)
    return None


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    codename = sys.argv[1]
    source = from_deb822(codename) or from_one_line(codename)
    if source is None:
        sys.exit(f"no enabled apt source for {codename} to make {codename}-backports from")
    print(source)


main()
