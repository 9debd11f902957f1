# A real OPC UA server (asyncua) on loopback with one Double variable, ns=2;s=temperature
# = 21.5: prints its port, and stops when its stdin closes.
import asyncio, sys, logging
from asyncua import Server, ua
logging.disable(logging.WARNING)
async def main():
    server = Server()
    await server.init()
    server.set_endpoint("opc.tcp://127.0.0.1:0/capturemock/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    idx = await server.register_namespace("urn:capturemock:test")
    obj = await server.nodes.objects.add_object(idx, "Plant")
    await obj.add_variable(ua.NodeId("temperature", idx), "Temperature", 21.5)
    async with server:
        port = server.bserver._server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
asyncio.run(main())
