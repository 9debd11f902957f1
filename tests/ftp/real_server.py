"""A real FTP server for the tests: pyftpdlib on 127.0.0.1, a free port, serving the directory
given as argv[1] to user `alice` (password `secret`). Prints `host:port` once listening, and
stops when its standard input closes. Its passive-mode replies always name the same port, so
that two recordings of one session against it are identical."""
import socket
import sys
import threading

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

authorizer = DummyAuthorizer()
authorizer.add_user("alice", "secret", sys.argv[1], perm="elradfmwMT")
FTPHandler.authorizer = authorizer
with socket.socket() as free:
    free.bind(("127.0.0.1", 0))
    FTPHandler.passive_ports = [free.getsockname()[1]]
server = FTPServer(("127.0.0.1", 0), FTPHandler)
host, port = server.socket.getsockname()[:2]
print(f"{host}:{port}", flush=True)
threading.Thread(target=lambda: (sys.stdin.read(), server.close_all()), daemon=True).start()
server.serve_forever(timeout=0.1, blocking=True, handle_exit=False)
