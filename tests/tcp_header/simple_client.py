# A strict client of simple_server.py's protocol through CAPTUREMOCK_SERVER: optionally
# announces the real server first (argument host:port), then sends its messages on one
# connection and checks every byte of what comes back; prints "all replies as expected".
# With CLIENT_NO_TEXT set, the last message (a text body, which the reference cannot
# replay) is left out; CLIENT_TXT_REPLY is the reply it expects instead of "ok: bye now".
import os, socket, struct, sys

host, port = os.environ["CAPTUREMOCK_SERVER"].rsplit(":", 1)
if len(sys.argv) > 1:
    with socket.create_connection((host, int(port))) as s:
        s.sendall(("SUT_SERVER:" + sys.argv[1] + "\n").encode())
        s.settimeout(10)
        assert s.recv(1) == b"", "the announcement connection was not closed"

def message(kind, body):
    return kind + struct.pack("<I", len(body) + 7) + body

def read_message(conn):
    data = b""
    while len(data) < 7:
        chunk = conn.recv(7 - len(data))
        assert chunk, "connection closed before a reply"
        data += chunk
    size = struct.unpack("<I", data[3:])[0]
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        assert chunk, "connection closed inside a reply"
        data += chunk
    return data

def evt(request_id):
    text = b"tick %d" % request_id
    return message(b"EVT", struct.pack("<Ii", request_id, len(text)) + text)

def rsp(request_id, readings):
    body = struct.pack("<IHi", request_id, 1, len(readings))
    for channel, value in readings:
        body += struct.pack("<Hd", channel, value)
    return message(b"RSP", body)

conn = socket.create_connection((host, int(port)))
conn.settimeout(10)
exchanges = [
    (message(b"REQ", struct.pack("<Ii", 1, 4) + b"temp" + bytes([2])),
     [rsp(1, [(1, 21.5), (2, -3.25)]), evt(1)]),
    (message(b"REQ", struct.pack("<Ii", 2, -1) + bytes([0]) + b"\xde\xad"),
     [rsp(2, []), evt(2)]),
    (message(b"TXT", b"bye now"),
     [message(b"TXT", os.environ.get("CLIENT_TXT_REPLY", "ok: bye now").encode())]),
]
if os.environ.get("CLIENT_NO_TEXT"):
    exchanges.pop()
for request, replies in exchanges:
    conn.sendall(request)
    for expected in replies:
        got = read_message(conn)
        assert got == expected, f"expected {expected!r}, got {got!r}"
conn.close()
print("all replies as expected", flush=True)
