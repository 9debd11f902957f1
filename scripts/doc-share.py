#!/usr/bin/env python3
"""Share of doc-comment lines (`///` and `//!`) among all lines of a crate's non-test
source files, the measure issue 10 sets (goal: 20 % or more).

    python3 scripts/doc-share.py core/src std/src macros/src

Test files (`tests.rs`, `*_tests.rs`, `proptests.rs`, `test_support.rs`, anything under a
`tests/` directory) are left out; a file's inline `#[cfg(test)]` module counts as lines
without docs, so writing tests never raises the share.
"""
import os
import sys

TEST_FILES = {"tests.rs", "proptests.rs", "test_support.rs"}


def share(root):
    doc = total = 0
    for directory, _, files in os.walk(root):
        for name in files:
            path = os.path.join(directory, name)
            if not name.endswith(".rs") or name in TEST_FILES or name.endswith("_tests.rs"):
                continue
            if f"{os.sep}tests{os.sep}" in path:
                continue
            with open(path, encoding="utf-8") as f:
                for line in f:
                    total += 1
                    if line.lstrip().startswith(("///", "//!")):
                        doc += 1
    return doc, total


for root in sys.argv[1:] or ["core/src", "std/src", "macros/src"]:
    doc, total = share(root)
    print(f"{root}: {doc} doc lines of {total}, {100 * doc / max(total, 1):.1f} %")
