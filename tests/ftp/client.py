"""A strict FTP client (ftplib) for the tests: any error fails it. Connects to
CAPTUREMOCK_SERVER; with `--announce host:port` first announces the real server as the
reference expects (user capturemock, `STOR SUT_SERVER=host:port`). Then logs in as alice and
runs the session, printing what it sees as JSON on its last line."""
import ftplib
import io
import json
import os
import sys

host, port = os.environ["CAPTUREMOCK_SERVER"].split(":")
args = sys.argv[1:]
if args[:1] == ["--announce"]:
    with ftplib.FTP() as ftp:
        ftp.connect(host, int(port), timeout=10)
        ftp.login("capturemock", "capturemock")
        ftp.storbinary("STOR SUT_SERVER=" + args[1], io.BytesIO(b""))
    args = args[2:]

seen = []
with ftplib.FTP() as ftp:
    ftp.connect(host, int(port), timeout=10)
    seen.append(ftp.login("alice", "secret"))
    seen.append(ftp.sendcmd("SYST"))
    seen.append(ftp.sendcmd("FEAT"))
    seen.append(ftp.pwd())
    seen.append(ftp.sendcmd("TYPE I"))
    lines = []
    seen.append(ftp.retrlines("LIST", lines.append))
    seen.append(lines)
    parts = []
    seen.append(ftp.retrbinary("RETR hello.txt", parts.append))
    seen.append(b"".join(parts).decode())
    try:
        ftp.retrbinary("RETR missing.txt", parts.append)
        sys.exit("RETR missing.txt succeeded")
    except ftplib.error_perm as e:
        seen.append(str(e))
    seen.append(ftp.sendcmd("NOOP"))
    seen.append(ftp.quit())
print(json.dumps(seen))
