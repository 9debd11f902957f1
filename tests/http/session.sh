# One client session against $CAPTUREMOCK_SERVER: curl and Python's urllib, one request
# after another, each response printed. Strict: any failure of a client fails the session.
set -eu
B=$CAPTUREMOCK_SERVER
if [ -n "${UPSTREAM:-}" ]; then
  curl -sS -f -X POST --data-binary "$UPSTREAM" "$B/capturemock/setServerLocation" >/dev/null
fi
curl -sS -H "X-Trace: t1" "$B/hello?x=1&y=two%20words"; echo
curl -sS -H "Accept: application/json" "$B/json"; echo
printf '\000\001\002\377\376\n\r' | curl -sS -H "Content-Type: application/octet-stream" --data-binary @- "$B/raw-echo" | od -An -tx1
curl -sS -X POST -H "Content-Length: 0" "$B/create"; echo
printf 'line1\nline2\r\nline3\n' | curl -sS -H "Content-Type: text/plain" --data-binary @- "$B/echo"; echo
curl -sS "$B/cookies"; echo
curl -sS -w ' %{http_code}' "$B/missing"; echo
python3 - "$B" <<'PY'
import sys, urllib.request, urllib.error
base = sys.argv[1]
def show(request):
    try:
        with urllib.request.urlopen(request) as r:
            print(r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        print(e.code, e.read().decode())
show(urllib.request.Request(base + "/urllib?q=1", headers={"X-Client": "urllib"}))
show(urllib.request.Request(base + "/form", data=b"a=1&b=two", method="POST"))
show(urllib.request.Request(base + "/put", data=b'{"k": "v"}', method="PUT", headers={"Content-Type": "application/json"}))
PY
