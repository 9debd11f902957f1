"""Many raw FTP sessions at once (argv[1] of them) against CAPTUREMOCK_SERVER, each sending
bad command lines between good ones: a line that is not UTF-8 and a malformed command must
each get a `500 capturemock: ...` reply saying why, and the session must go on. Strict: any
other answer fails. Prints `ok N` at the end."""
import os
import socket
import sys
import threading

host, port = os.environ["CAPTUREMOCK_SERVER"].split(":")
count = int(sys.argv[1])
failures = []


def session(index):
    try:
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            replies = sock.makefile("rb")

            def expect(line, start):
                if line is not None:
                    sock.sendall(line + b"\r\n")
                reply = replies.readline().decode()
                if not reply.startswith(start):
                    raise AssertionError(f"{line!r}: {reply!r} does not start with {start!r}")

            expect(None, "220 ")
            expect(b"USER alice", "331 ")
            expect(b"PASS secret", "230 ")
            expect(b"NOOP \xff\xfe" + str(index).encode(), "500 capturemock: command line is not valid UTF-8")
            expect(b"N@OP " + str(index).encode(), "500 capturemock: malformed command line")
            expect(b"", "500 capturemock: malformed command line")
            expect(b"NOOP", "200 ")
            expect(b"QUIT", "221 ")
    except Exception as e:  # noqa: BLE001 - every failure is reported
        failures.append(f"session {index}: {e!r}")


threads = [threading.Thread(target=session, args=(i,)) for i in range(count)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
if failures:
    sys.exit("\n".join(failures))
print("ok", count)
