# Many clients at once, each making good calls with a malformed one among them: prints one
# line per call, "thread call -> outcome", sorted.
import os, sys, threading, urllib.request, xmlrpc.client

url = os.environ["CAPTUREMOCK_SERVER"]
BAD = [
    b"<methodCall><methodName>pow</methodName>",
    b"this is not XML at all",
    b"<methodCall><methodName>pow\x01</methodName></methodCall>",
    b"<methodResponse><params/></methodResponse>",
    b"<methodCall><params/></methodCall>",
    b"<methodCall><methodName>pow</methodName><params><param><value><int>two</int></value></param></params></methodCall>",
    b"\xff\xfe<methodCall/>",
    b"",
]
lines = []
lock = threading.Lock()


def client(i):
    proxy = xmlrpc.client.ServerProxy(url)
    for j in range(5):
        if j == 2:
            request = urllib.request.Request(url + "/RPC2", data=BAD[i], headers={"Content-Type": "text/xml"})
            with urllib.request.urlopen(request) as r:
                status, body = r.status, r.read()
            try:
                outcome = "result %r" % (xmlrpc.client.loads(body)[0],)
            except xmlrpc.client.Fault as f:
                outcome = "%d FAULT %d %s" % (status, f.faultCode, f.faultString.split(":")[0])
            with lock:
                lines.append("%d bad -> %s" % (i, outcome))
        outcome = proxy.pow(i, j)
        with lock:
            lines.append("%d pow(%d, %d) -> %r" % (i, i, j, outcome))
    try:
        proxy.echo(xmlrpc.client.Binary(b"\xff"))
    except xmlrpc.client.Fault as f:
        with lock:
            lines.append("%d binary -> FAULT %d %s" % (i, f.faultCode, f.faultString))


threads = [threading.Thread(target=client, args=(i,)) for i in range(len(BAD))]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("\n".join(sorted(lines)))
