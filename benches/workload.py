"""Benchmark workload for capturemock's replay engine, and the reference's timings on it.

    python3 benches/workload.py generate DIR    write the replay files and request lists
    python3 benches/workload.py reference DIR   time CaptureMock 2.10 on the same files

Files written to DIR:
  replay_<N>.mock     N recorded requests of 3-10 words (each followed by one response)
  requests_<N>.txt    inexact requests, one per line: a recorded request with one word replaced
  replay_<N>_flat.mock / requests_<N>_flat.txt   the same with a 60-word uniform vocabulary,
                      a hard case for indexing (every request shares words with most others)
  big.mock            about 6 MB of recorded traffic, multi-line responses included

Words follow a Zipf distribution over a 5,000-word vocabulary, like identifiers in real traffic:
a few words ("get", "id") are everywhere, most are rare. The seed is fixed.
"""
import os
import random
import resource
import sys
import time

SIZES = [100, 1000, 10000, 100000]
SEED = 20261121


def vocabulary(n):
    rng = random.Random(SEED)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(2, 9))))
    return sorted(words)


def zipf_picker(rng, words):
    weights = [1.0 / (rank + 1) for rank in range(len(words))]
    cumulative, total = [], 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    import bisect

    def pick():
        return words[bisect.bisect_left(cumulative, rng.random() * total)]

    return pick


def request_text(rng, pick):
    n = rng.randint(3, 10)
    words = [pick() for _ in range(n)]
    # Shape like a call: name(arg, arg) with some path-like words.
    head, args = words[0], words[1:]
    return head + "." + args[0] + "(" + ", ".join(args[1:]) + ")" if len(args) > 1 else head + "(" + args[0] + ")"


def mutate(rng, text, pick):
    words = text.replace("(", " ( ").replace(")", " ) ").split()
    candidates = [i for i, w in enumerate(words) if w not in "()"]
    i = rng.choice(candidates)
    words[i] = pick()
    return " ".join(words).replace(" ( ", "(").replace(" )", ")")


def write_set(directory, n, suffix, pick, rng, lookups):
    recorded = []
    with open(os.path.join(directory, "replay_%d%s.mock" % (n, suffix)), "w") as f:
        for i in range(n):
            text = request_text(rng, pick)
            recorded.append(text)
            f.write("<-CAL:%s\n->RET:%s\n" % (text, "result %d" % i))
    with open(os.path.join(directory, "requests_%d%s.txt" % (n, suffix)), "w") as f:
        for _ in range(lookups):
            f.write("<-CAL:%s\n" % mutate(rng, rng.choice(recorded), pick))


def generate(directory):
    os.makedirs(directory, exist_ok=True)
    rng = random.Random(SEED)
    zipf = zipf_picker(rng, vocabulary(5000))
    flat_words = vocabulary(60)
    flat = lambda: rng.choice(flat_words)
    for n in SIZES:
        write_set(directory, n, "", zipf, rng, 1000)
        write_set(directory, n, "_flat", flat, rng, 1000)
    with open(os.path.join(directory, "big.mock"), "w") as f:
        size, i = 0, 0
        while size < 6_000_000:
            response = "\n".join("line %d of %s" % (k, request_text(rng, zipf)) for k in range(rng.randint(1, 4)))
            entry = "<-CAL:%s\n->RET:%s\n" % (request_text(rng, zipf), response)
            f.write(entry)
            size += len(entry)
            i += 1


def reference(directory):
    from capturemock import config
    from capturemock.replayinfo import ReplayInfo

    class Request:
        def __init__(self, desc):
            self.desc, self.text = desc, desc.split(":", 1)[1]

        def getDescription(self):
            return self.desc

    rc = config.RcFileHandler([])
    # Load first, so that peak RSS is the big file's and not the lookups'.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    ReplayInfo(config.REPLAY, os.path.join(directory, "big.mock"), rc)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = os.path.getsize(os.path.join(directory, "big.mock"))
    print("reference load of big.mock (%.1f MB): %.3f s, %.1f MB/s, peak RSS %.0f MB (%.0f MB before loading)"
          % (size / 1e6, elapsed, size / 1e6 / elapsed, after / 1024, before / 1024))
    print("reference best match, ms per lookup (median of the lookups timed):")
    for suffix in ["", "_flat"]:
        for n in SIZES:
            info = ReplayInfo(config.REPLAY, os.path.join(directory, "replay_%d%s.mock" % (n, suffix)), rc)
            with open(os.path.join(directory, "requests_%d%s.txt" % (n, suffix))) as f:
                requests = [line.rstrip("\n") for line in f]
            budget = 3.0 if n < 100000 else 8.0
            times, start = [], time.perf_counter()
            for desc in requests:
                t0 = time.perf_counter()
                info.getResponseMapKey(Request(desc), False)
                times.append(time.perf_counter() - t0)
                if time.perf_counter() - start > budget and len(times) >= 3:
                    break
            times.sort()
            print("  %-5s %7d entries: %10.3f ms  (%d lookups)" % (suffix.strip("_") or "zipf", n, 1000 * times[len(times) // 2], len(times)))


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("generate", "reference"):
        sys.exit(__doc__)
    {"generate": generate, "reference": reference}[sys.argv[1]](sys.argv[2])
