# A strict OPC UA client: optionally announces the real server (SUT_SERVER:host:port) to
# capturemock, then connects to CAPTUREMOCK_SERVER, reads one variable and prints it.
import asyncio, os, socket, sys, logging
from asyncua import Client, ua
logging.disable(logging.WARNING)
host, port = os.environ["CAPTUREMOCK_SERVER"].rsplit(":", 1)
if len(sys.argv) > 1:
    with socket.create_connection((host, int(port))) as s:
        s.sendall(("SUT_SERVER:" + sys.argv[1] + "\n").encode())
        # Both servers close the connection once the announcement is taken in.
        s.settimeout(10)
        assert s.recv(1) == b""
async def main():
    client = Client(f"opc.tcp://{host}:{port}/capturemock/", timeout=5)
    async with client:
        node = client.get_node(ua.NodeId("temperature", 2))
        print("temperature", await node.read_value(), flush=True)
asyncio.run(main())
