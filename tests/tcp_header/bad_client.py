# Sends one good REQ of simple_server.py's protocol through CAPTUREMOCK_SERVER (after
# announcing the real server, argument host:port), checks its replies, then sends a
# malformed message (argument 2: "short", a size smaller than the header; "huge", a size
# over the server's limit; "truncated", a body that ends early) and reports
# "closed" when the server then closes the connection.
import os, socket, struct, sys

host, port = os.environ["CAPTUREMOCK_SERVER"].rsplit(":", 1)
with socket.create_connection((host, int(port))) as s:
    s.sendall(("SUT_SERVER:" + sys.argv[1] + "\n").encode())
    s.settimeout(10)
    assert s.recv(1) == b""

def message(kind, body):
    return kind + struct.pack("<I", len(body) + 7) + body

conn = socket.create_connection((host, int(port)))
conn.settimeout(10)
conn.sendall(message(b"REQ", struct.pack("<Ii", 1, 4) + b"temp" + bytes([2])))
data = b""
while data.count(b"tick 1") == 0:
    chunk = conn.recv(4096)
    assert chunk, "closed before the replies"
    data += chunk
bad = {
    "short": b"REQ" + struct.pack("<I", 3),
    "huge": b"REQ" + struct.pack("<I", 0xFFFFFFF0),
    "truncated": b"REQ" + struct.pack("<I", 100) + b"abc",
}[sys.argv[2]]
conn.sendall(bad)
if sys.argv[2] == "truncated":
    conn.shutdown(socket.SHUT_WR)
assert conn.recv(1) == b"", "the server answered a malformed message"
print("closed", flush=True)
