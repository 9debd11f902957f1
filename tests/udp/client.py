# A strict UDP client: each argument is COUNT:MESSAGE (MESSAGE may be hex:HEX for raw bytes).
# It sends MESSAGE as one datagram to CAPTUREMOCK_SERVER and reads exactly COUNT datagrams
# back (5 s at most for each, or CLIENT_TIMEOUT seconds), then makes sure no other datagram
# follows within 0.15 s.
# Prints the replies as a JSON list of lists; exits 1 on a missing or an extra datagram.
import json, os, socket, sys

host, port = os.environ["CAPTUREMOCK_SERVER"].rsplit(":", 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((os.environ.get("CLIENT_BIND", "127.0.0.1"), 0))
replies = []
for arg in sys.argv[1:]:
    count, message = arg.split(":", 1)
    data = bytes.fromhex(message[4:]) if message.startswith("hex:") else message.encode()
    s.sendto(data, (host, int(port)))
    got = []
    s.settimeout(float(os.environ.get("CLIENT_TIMEOUT", "5")))
    try:
        while len(got) < int(count):
            got.append(s.recv(65536).decode("utf-8", "replace"))
        s.settimeout(0.15)
        extra = s.recv(65536)
        sys.exit("extra datagram after %r: %r (had %r)" % (message, extra, got))
    except socket.timeout:
        if len(got) < int(count):
            sys.exit("only %d of %s datagrams for %r: %r" % (len(got), count, message, got))
    replies.append(got)
print(json.dumps(replies))
