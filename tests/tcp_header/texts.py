"""Prints random values as the reference's tcp_header texts hold them (dicts, lists and tuples
of strings, bytes, integers, None and booleans), one JSON line each: the value (a dict as
{"dict": [[k, v], ...]}, a tuple as {"tuple": [...]}, bytes as {"bytes": hex}) and Python's
pprint.pformat(value, width=200, sort_dicts=False), as the reference writes message bodies.
Arguments: a seed and a count."""
import json, pprint, random, sys

seed, count = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
WORDS = ["a", "node", "ns=2;s=Temp", "x" * 30, "with 'quote'", 'd"q', "tab\there", "line\nbreak", "\u00e9t\u00e9", " "]

def some_bytes():
    n = rng.choice([0, 1, 4, 5, 8, 12, 16, 40, rng.randrange(0, 600)])
    alphabet = rng.choice([range(256), range(32, 127), [0, 10, 13, 39, 34, 92, 65, 255]])
    alphabet = list(alphabet)
    return bytes(rng.choice(alphabet) for _ in range(n))

def some_str():
    return "".join(rng.choice(WORDS) + rng.choice(["", " ", "  "]) for _ in range(rng.randrange(0, 40)))

def value(depth):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randrange(-2**40, 2**40)
    if kind in (3, 4):
        return some_bytes()
    if kind == 5:
        return some_str()
    if kind == 6:
        return [value(depth + 1) for _ in range(rng.randrange(0, 5))]
    if kind == 7:
        return tuple(value(depth + 1) for _ in range(rng.randrange(0, 4)))
    return {"k%d" % i + rng.choice(["", "_name"]): value(depth + 1) for i in range(rng.randrange(0, 5))}

def encode(v):
    if isinstance(v, bytes):
        return {"bytes": v.hex()}
    if isinstance(v, tuple):
        return {"tuple": [encode(x) for x in v]}
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        return {"dict": [[k, encode(x)] for k, x in v.items()]}
    return v

for _ in range(count):
    v = value(0) if rng.random() < 0.5 else {"header": value(1), "body": some_bytes() * rng.choice([1, 3])}
    print(json.dumps({"value": encode(v), "pformat": pprint.pformat(v, width=200, sort_dicts=False)}))
