# A real web service for the HTTP tests: Python's http.server, one thread per request.
# Prints "http://127.0.0.1:PORT" once listening.
import http.server, socketserver, sys

class Service(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def reply(self, code, body, ctype="text/plain; charset=utf-8", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        if self.path.startswith("/json"):
            self.reply(200, b'{\n  "a": 1,\n  "b": [1, 2]\n}\n', "application/json")
        elif self.path.startswith("/cookies"):
            self.reply(200, b"two", extra=[("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Tag", "one"), ("X-Tag", "two")])
        elif self.path.startswith("/missing"):
            self.reply(404, b"no such thing")
        elif self.path.startswith("/old"):
            self.reply(302, b"moved", extra=[("Location", "/new")])
        elif self.path.startswith("/hexlike"):
            self.reply(200, b"0xcafe is hex")
        elif self.path.startswith("/nothing"):
            self.reply(204, b"")
        elif self.path.startswith("/download"):
            self.reply(200, b"id,total\r\n1,\xff\r\n", "text/csv",
                       extra=[("Content-Disposition", 'attachment; filename="report.csv"')])
        else:
            self.reply(200, ("hello " + self.path).encode())

    do_HEAD = do_GET

    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/raw-echo":
            self.reply(200, data, "application/octet-stream")
        elif self.path == "/login":
            self.reply(200, b'{"user": "me", "access_token": "S3CR3T-issued-token"}', "application/json",
                       extra=[("Set-Cookie", "sid=S3CR3T-session; HttpOnly")])
        elif self.path == "/upload":
            self.reply(200, b"received %d bytes" % len(data))
        elif self.path == "/create":
            self.reply(201, b"created %d" % len(data))
        else:
            self.reply(200, data, "text/plain")

    do_PUT = do_POST

    def log_message(self, *args):
        pass

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), Service)
print("http://127.0.0.1:%d" % server.server_address[1], flush=True)
server.serve_forever()
