"""A Python websockets echo server on 127.0.0.1 and a port of the system's
choosing. It prints {"port": N} once listening, then one JSON line per
connection event: the close code and reason each client sent. It echoes
text and binary messages (websockets answers pings itself), speaks the
subprotocol "chat", and closes with 4000 "requested" on the text message
"close me"."""

import asyncio
import json
import sys

import websockets


def report(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def echo(ws):
    report({"event": "open", "protocol": ws.subprotocol or "",
            "extensions": ws.request_headers.get("Sec-WebSocket-Extensions", "")})
    try:
        async for msg in ws:
            if msg == "close me":
                await ws.close(4000, "requested")
                break
            await ws.send(msg)
    except websockets.ConnectionClosedError:
        pass  # the close code below says how
    await ws.wait_closed()
    report({"event": "close", "code": ws.close_code, "reason": ws.close_reason})


async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None, ping_interval=None,
                                subprotocols=["chat"]) as server:
        report({"port": server.sockets[0].getsockname()[1]})
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
