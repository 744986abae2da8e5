"""A Python websockets echo server on 127.0.0.1 and a port of the system's
choosing. It prints {"port": N} once listening, then one JSON line per
connection event: the extensions offered and the response's
Sec-WebSocket-Extensions on open, the close code and reason each client
sent. It echoes text and binary messages (websockets answers pings itself),
speaks the subprotocol "chat", and closes with 4000 "requested" on the text
message "close me".

--deflate=on (websockets' default), no-context or off sets permessage-deflate:
on is websockets' own configuration, which keeps the server's compression
context; no-context is the same with server_no_context_takeover. websockets
compresses every message once the extension is negotiated."""

import argparse
import asyncio
import json
import sys

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory


def report(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


async def echo(ws):
    report({"event": "open", "protocol": ws.subprotocol or "",
            "extensions": ws.request_headers.get("Sec-WebSocket-Extensions", ""),
            "negotiated": ws.response_headers.get("Sec-WebSocket-Extensions", "")})
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


def deflate_options(mode):
    if mode == "off":
        return {"compression": None}
    if mode == "no-context":
        # websockets' defaults (enable_server_permessage_deflate), with
        # server_no_context_takeover.
        return {"extensions": [ServerPerMessageDeflateFactory(
            server_no_context_takeover=True, server_max_window_bits=12,
            client_max_window_bits=12, compress_settings={"memLevel": 5})]}
    return {}  # compression="deflate"


async def main(mode):
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None, ping_interval=None,
                                subprotocols=["chat"], **deflate_options(mode)) as server:
        report({"port": server.sockets[0].getsockname()[1]})
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--deflate", choices=["on", "no-context", "off"], default="on")
    asyncio.run(main(parser.parse_args().deflate))
