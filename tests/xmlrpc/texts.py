# Random XML-RPC-like values with Python's own texts for them: one JSON line per case,
# {"value": v, "pformat": pformat(v, width=130), "call": repr of the argument tuple}.
import json, pprint, random, sys

rng = random.Random(int(sys.argv[1]))
ALPHABET = ["a", "b", "word", " ", " ", "  ", "\n", "\t", "'", '"', "\\", "é", "漢", "\u00a0",
            "\u200b", "\U0001f600", "\x01", "\x7f", ",)", "\r\n", "\u2028", "x" * 40]


def text():
    return "".join(rng.choice(ALPHABET) for _ in range(rng.choice([0, 1, 3, 10, 40, 90])))


def value(depth):
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rng.randrange(-2**31, 2**31)
    if kind == 1:
        return rng.choice([0.0, -0.0, 1.5, 1e20, 1e-7, 1e16, 1e15, rng.random() * 10 ** rng.randrange(-8, 22)])
    if kind == 2:
        return rng.random() < 0.5
    if kind == 3:
        return None
    if kind in (4, 5):
        return text()
    if kind in (6, 7):
        return [value(depth + 1) for _ in range(rng.choice([0, 1, 2, 5, 12]))]
    return {text() or "k": value(depth + 1) for _ in range(rng.choice([0, 1, 3, 8]))}


def tagged(v):
    # JSON objects lose their order on the Rust side: dicts go as lists of pairs.
    if isinstance(v, dict):
        return {"dict": [[k, tagged(x)] for k, x in v.items()]}
    if isinstance(v, list):
        return [tagged(x) for x in v]
    if isinstance(v, float):
        # serde_json's default float reading can be a unit off in the last place.
        return {"float": repr(v)}
    return v


for _ in range(int(sys.argv[2])):
    v = value(0)
    args = tuple(value(1) for _ in range(rng.randrange(4)))
    print(json.dumps({
        "value": tagged(v),
        "pformat": pprint.pformat(v, width=130),
        "args": tagged(list(args)),
        "call": "m" + repr(args).replace(",)", ")"),
    }))
