# The real XML-RPC server of the tests: Python's own, printing its URL on the first line.
import datetime, sys
import xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer

server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)


def fail(code, message):
    raise xmlrpc.client.Fault(code, message)


def boom():
    raise ValueError("bad things")


def big(n):
    return {"k%03d" % i: ["x" * 10, i, i / 3, {"z": i % 2 == 0, "a": "é" * i}] for i in range(n)}


for name, function in {
    "pow": pow,
    "echo": lambda *args: list(args),
    "ident": lambda x: x,
    "count": lambda *args: len(args),
    "fail": fail,
    "boom": boom,
    "nothing": lambda: None,
    "when": lambda: datetime.datetime(2020, 1, 2, 3, 4, 5),
    "blob": lambda: xmlrpc.client.Binary(b"\x00\x01hi'\xff"),
    "mixed": lambda: [xmlrpc.client.DateTime("20211231T23:59:00"), {"b": xmlrpc.client.Binary(b"ok")}],
    "big": big,
    "words": lambda n: "word " * n,
    "lines": lambda n: "line\n" * n,
    "noargs": lambda: "no args",
}.items():
    server.register_function(function, name)
print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
