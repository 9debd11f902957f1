"""Answers rc-file and alteration questions with Python itself and the installed reference.

Protocol (stdin -> stdout, one line per question and answer): tab-separated fields, each
field hex-encoded UTF-8. The first field of a question is its kind.
  sub PATTERN REPL TEXT...      -> PERR | TERR | OK RESULT...      (re.sub with m.expand)
  expand TEXT NAME VALUE...     -> RESULT                          (os.path.expandvars)
  rc FILE...                    -> ERR:Class | DUMP                (ConfigParser(strict=False))
  pipe ADDRESS NFILES FILE... NTEXTS TEXT... NVARTEXTS TEXT...
                                -> ERR:Class | RESULT... VARS      (RcFileHandler + BaseTraffic)
"""
import atexit
import configparser
import logging
import os
import re
import shutil
import sys
import tempfile
import warnings
from collections import OrderedDict

from capturemock.config import RcFileHandler
from capturemock.traffic import BaseTraffic

warnings.simplefilter("ignore")
TMP = tempfile.mkdtemp(prefix="cm-rc-oracle-")
# Removed however the oracle ends (its caller closes stdin, or it fails).
atexit.register(shutil.rmtree, TMP, True)


def enc(s):
    return s.encode("utf-8", "surrogatepass").hex()


def dec(h):
    return bytes.fromhex(h).decode("utf-8")


def write_files(texts):
    paths = []
    for i, text in enumerate(texts):
        path = os.path.join(TMP, "f%d.rc" % i)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        paths.append(path)
    return paths


def sub(fields):
    pattern, repl, texts = fields[0], fields[1], fields[2:]
    try:
        compiled = re.compile(pattern)
    except Exception:
        return ["PERR"]
    try:
        re._parser.parse_template(repl, compiled)
    except (re.error, IndexError):
        return ["TERR"]
    return ["OK"] + [enc(compiled.sub(lambda m: m.expand(repl), t)) for t in texts]


def with_env(pairs, f):
    saved = {k: os.environ.get(k) for k in pairs}
    os.environ.update(pairs)
    try:
        return f()
    finally:
        for k, v in saved.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v


def expand(fields):
    text, rest = fields[0], fields[1:]
    env = dict(zip(rest[0::2], rest[1::2]))
    return [enc(with_env(env, lambda: os.path.expandvars(text)))]


def value_of(parser, section, key):
    try:
        value = "h" + enc(parser.get(section, key))
    except Exception as e:
        value = "ERR:" + type(e).__name__
    try:
        boolean = "1" if parser.getboolean(section, key) else "0"
    except ValueError:
        boolean = "ERR:NotABoolean"
    except Exception as e:
        boolean = "ERR:" + type(e).__name__
    return value, boolean


def rc(fields):
    paths = write_files(fields)
    parser = configparser.ConfigParser(strict=False)
    try:
        parser.read(paths, encoding="utf-8")
    except Exception as e:
        return [enc("ERR:" + type(e).__name__)]
    lines = ["sections=" + "|".join(parser.sections())]
    for section in ["DEFAULT"] + parser.sections():
        keys = list(parser.defaults()) if section == "DEFAULT" else parser.options(section)
        for key in keys:
            value, boolean = value_of(parser, section, key)
            lines.append("[%s] %s = %s / %s" % (section, key, value, boolean))
    return [enc("\n".join(lines))]


class Diag:
    def info(self, *args):
        pass


def pipe(fields):
    address = fields[0]
    n = int(fields[1])
    files, rest = fields[2:2 + n], fields[2 + n:]
    nt = int(rest[0])
    texts, rest = rest[1:1 + nt], rest[1 + nt:]
    nv = int(rest[0])
    var_texts, rest = rest[1:1 + nv], rest[1 + nv:]
    env = dict(zip(rest[0::2], rest[1::2]))
    paths = write_files(files)

    def run():
        BaseTraffic.alterationVariables = OrderedDict()
        handler = RcFileHandler(paths)
        handler.diag = Diag()
        if address:
            handler.address = address
        out = []
        for text in texts:
            traffic = BaseTraffic(text, handler)
            out.append(enc(traffic.applyAlterations(text)))
        traffic = BaseTraffic("", handler)
        for text in var_texts:
            out.append(enc(traffic.applyAlterationVariables(text)))
        variables = [
            regex.pattern.replace("\\$", "$") + "=" + value
            for regex, value in BaseTraffic.alterationVariables.items()
        ]
        out.append(enc("\n".join(variables)))
        return out

    try:
        return with_env(env, run)
    except Exception as e:
        return [enc("ERR:" + type(e).__name__)]


KINDS = {"sub": sub, "expand": expand, "rc": rc, "pipe": pipe}

for line in sys.stdin:
    parts = line.rstrip("\n").split("\t")
    kind = dec(parts[0])
    answer = KINDS[kind]([dec(p) for p in parts[1:]])
    sys.stdout.write("\t".join(answer) + "\n")
sys.stdout.flush()
