# A real UDP server: answers each datagram with "reply to <it>" and a newline, then a
# second datagram "and more" when the message says "twice", then an empty datagram (the end
# of a reply for the reference, which reads a datagram socket to its end). "quit" stops it.
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print("127.0.0.1:%d" % s.getsockname()[1], flush=True)
while True:
    data, peer = s.recvfrom(65536)
    if data == b"quit":
        break
    s.sendto(b"reply to " + data + b"\n", peer)
    if b"twice" in data:
        s.sendto(b"and more", peer)
    s.sendto(b"", peer)
