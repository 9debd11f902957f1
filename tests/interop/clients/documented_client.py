# The custom-client example from CaptureMock's documentation ("Writing a custom client",
# last updated 05 October 2012), which its authors copied from the CaptureMock test suite.
# Ported to Python 3 with exactly two changes, neither of which changes the bytes sent:
#   1. sendText: `sock.sendall(text)` became `sock.sendall(text.encode())` (Python 3 sockets
#      take bytes; the text is ASCII, so the bytes are the same).
#   2. printReplay: the statement `print sock.makefile().read()` became the function call
#      `print(sock.makefile().read())`.
# Everything else, including the unclosed record-mode socket, is as documented.
import os, socket

def sendText(text, serverAddress):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.connect(serverAddress)
    sock.sendall(text.encode())
    return sock

def sendRecord(code, *args):
    import moduletomock
    sendText("SUT_CUSTOM:" + code + ":SUT_SEP:" + eval(code), *args)

def printReplay(code, *args):
    sock = sendText("SUT_CUSTOM:" + code, *args)
    sock.shutdown(1)
    print(sock.makefile().read())
    sock.close()

def getServerAddress():
    servAddr = os.getenv("CAPTUREMOCK_SERVER")
    host, port = servAddr.split(":")
    return host, int(port)

address = getServerAddress()
if os.getenv("CAPTUREMOCK_MODE") == "1":
    # record
    sendRecord("moduletomock.attribute", address)
    sendRecord("moduletomock.call_function('hello')", address)
else:
    # replay
    printReplay("moduletomock.attribute", address)
    printReplay("moduletomock.call_function('hello')", address)
