# A real server of a small length-prefixed protocol (header: 3-byte type, then the whole
# message's size as a little-endian uint32), one client connection at a time:
#   REQ <request_id I><name i$><mode B>[extra]  ->  RSP <request_id I><subtype H=1><readings i[Hd]>
#                                                   then EVT <request_id I><text i$ "tick <request_id>">
#   TXT <text>                                   ->  TXT "ok: <text>"
# Prints its port; stops when its stdin closes.
import os, socket, struct, sys, threading

def message(kind, body):
    return kind + struct.pack("<I", len(body) + 7) + body

def evt(request_id):
    text = b"tick %d" % request_id
    return message(b"EVT", struct.pack("<Ii", request_id, len(text)) + text)

def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data

def serve(conn):
    with conn:
        while True:
            header = read_exact(conn, 7)
            if header is None:
                return
            kind, size = header[:3], struct.unpack("<I", header[3:])[0]
            body = read_exact(conn, size - 7)
            if kind == b"REQ":
                request_id = struct.unpack_from("<I", body)[0]
                readings = [(1, 21.5), (2, -3.25)] if request_id == 1 else []
                reply = struct.pack("<IHi", request_id, 1, len(readings))
                for channel, value in readings:
                    reply += struct.pack("<Hd", channel, value)
                conn.sendall(message(b"RSP", reply) + evt(request_id))
            elif kind == b"TXT":
                conn.sendall(message(b"TXT", b"ok: " + body))
            else:
                conn.sendall(message(b"ERR", b"unknown " + kind))

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
print(listener.getsockname()[1], flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
while True:
    conn, _ = listener.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
