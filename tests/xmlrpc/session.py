# A client session: `python3 session.py SCENARIO`. Tells the proxy where the real server is
# when UPSTREAM is set, makes the scenario's calls and prints each outcome on a line.
import os, sys, datetime, xmlrpc.client

proxy = xmlrpc.client.ServerProxy(os.environ["CAPTUREMOCK_SERVER"], allow_none=True)
if os.environ.get("UPSTREAM"):
    proxy.setServerLocation(os.environ["UPSTREAM"])


def shown(value):
    # DateTime and Binary objects print their address: show what they hold.
    if isinstance(value, xmlrpc.client.DateTime):
        return "DateTime(%r)" % value.value
    if isinstance(value, xmlrpc.client.Binary):
        return "Binary(%r)" % value.data
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, dict):
        # Sorted: a replayed dict comes back in the record's order, which pformat sorted.
        return "{" + ", ".join("%r: %s" % (k, shown(v)) for k, v in sorted(value.items())) + "}"
    return repr(value)


def call(name, *args):
    try:
        print(name, "->", shown(getattr(proxy, name)(*args)))
    except xmlrpc.client.Fault as f:
        print(name, "FAULT", f.faultCode, repr(f.faultString))


scenario = sys.argv[1]
if scenario == "main":
    call("pow", 2, 3)
    call("noargs")
    call("ident", 7)
    call("echo", "a", 1, 2.5, True, [1, "two"], {"b": 1, "a": [2, {"d": 0, "c": False}]})
    call("ident", "it's \"q\" \\ é 漢 \u00a0 \u200b \U0001f600 \t tab")
    call("ident", "a,)b")
    call("ident", "line1\nline2\r\n")
    call("count", datetime.datetime(2020, 1, 2, 3, 4, 5), datetime.datetime(2020, 1, 2, 0, 0), [xmlrpc.client.Binary(b"\x00'\"")])
    call("echo", xmlrpc.client.Binary("café".encode()))
    call("fail", 7, "nope")
    call("fail", 3, "it's <bad> & \"worse\"")
    call("boom")
    call("nothing")
    call("big", 3)
    call("big", 12)
    call("words", 60)
    call("lines", 4)
    call("echo", ["y" * 60, "z" * 80, "w " * 70])
    for f in [1.0, 1e20, -0.0, 1.0 / 3, 1e-5, 123456789.125, 1e16, 1e15]:
        call("ident", f)
    call("ident", [])
    call("ident", {})
    call("ident", "")
    call("pow", 2, 3)
elif scenario == "values":
    call("when")
    call("blob")
    call("mixed")
    call("ident", 2**31 - 1)
else:
    raise SystemExit("unknown scenario " + scenario)
