# A real server that hears broadcasts on PORT (shared with other listeners) and answers
# "NAME heard <it>" after DELAY seconds, until "quit".
import socket, sys, time
port, name, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", port))
print("ready", flush=True)
while True:
    data, peer = s.recvfrom(65536)
    if data == b"quit":
        break
    time.sleep(delay)
    s.sendto(name.encode() + b" heard " + data, peer)
