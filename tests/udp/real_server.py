# A real UDP server: answers each datagram with "reply to <it>" and a newline, then a
# second datagram "and more" when the message says "twice", then an empty datagram (the end
# of a reply for the reference, which reads a datagram socket to its end). A message that
# says "slow" is held, without holding up the others: its arrival is marked by a file
# `slow-arrived` beside this script, and it is answered once a file `release` appears there
# (a minute at most). "quit" stops it.
import os, socket, threading, time
here = os.path.dirname(os.path.abspath(__file__))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("127.0.0.1:%d" % s.getsockname()[1], flush=True)

def answer(data, peer):
    if b"slow" in data:
        open(os.path.join(here, "slow-arrived"), "w").close()
        deadline = time.monotonic() + 60
        while not os.path.exists(os.path.join(here, "release")) and time.monotonic() < deadline:
            time.sleep(0.01)
    s.sendto(b"reply to " + data + b"\n", peer)
    if b"twice" in data:
        s.sendto(b"and more", peer)
    s.sendto(b"", peer)

while True:
    data, peer = s.recvfrom(65536)
    if data == b"quit":
        break
    threading.Thread(target=answer, args=(data, peer)).start()
