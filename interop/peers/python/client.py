"""A Python websockets client: reads {url, mode, cases} as JSON on stdin,
connects and runs the cases (mode "echo") or only sends them (mode
"capture"), printing one JSON line per result, after a first line
{"case": "open", "extensions": ...} with the response's
Sec-WebSocket-Extensions.

It offers permessage-deflate as websockets does by default; once the server
accepts it, every frame of every message it sends is compressed.

websockets sends a fragmented message as the pieces given and then an empty
final continuation frame; text pieces must each be whole UTF-8."""

import asyncio
import json
import sys
import time

import websockets

from cases import payload, sha256, split


def report(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def message(op, data):
    return data.decode("utf-8") if op == "text" else data


def as_bytes(msg):
    return msg.encode("utf-8") if isinstance(msg, str) else msg


async def fragments(ws, c, pieces, pongs):
    """The pieces of c's message, with a ping sent after the first when c
    asks for one: a control frame between fragments."""
    for i, piece in enumerate(pieces):
        yield message(c["op"], piece)
        if i == 0 and "ping" in c:
            pongs.append(await ws.ping(payload(c["ping"])))


async def send_message(ws, c, data):
    """Sends c's message whole or as c["frags"]; returns the pong waiter of
    the ping sent between fragments, if any."""
    if "frags" not in c:
        await ws.send(message(c["op"], data))
        return None
    pongs = []
    await ws.send(fragments(ws, c, split(data, c["frags"]), pongs))
    return pongs[0] if pongs else None


async def run_case(ws, c):
    out = {"case": c["name"]}
    op = c["op"]
    if op in ("text", "binary"):
        data = payload(c["payload"])
        out["sent"] = sha256(data)
        pong = await send_message(ws, c, data)
        got = await ws.recv()
        out["op"] = "text" if isinstance(got, str) else "binary"
        got = as_bytes(got)
        out["len"] = len(got)
        out["sha256"] = sha256(got)
        if pong is not None:
            await pong
            # The waiter completes only for a pong carrying the ping's payload.
            out["pong"] = sha256(payload(c["ping"]))
    elif op == "burst":
        sent = [payload(m["payload"]) for m in c["messages"]]
        out["sent"] = sha256(b"".join(sent))
        for m, data in zip(c["messages"], sent):
            await ws.send(message(m["op"], data))
        got, ops = [], ""
        for _ in c["messages"]:
            msg = await ws.recv()
            ops += "t" if isinstance(msg, str) else "b"
            got.append(as_bytes(msg))
        out["ops"] = ops
        out["len"] = sum(len(g) for g in got)
        out["sha256"] = sha256(b"".join(got))
    elif op == "ping":
        data = payload(c["payload"])
        out["sent"] = sha256(data)
        await (await ws.ping(data))
        out["pong"] = sha256(data)
    elif op == "close":
        start = time.monotonic()
        await ws.close(c["code"], c["reason"])
        out["code"] = ws.close_code
        out["reason"] = ws.close_reason
        out["ms"] = int((time.monotonic() - start) * 1000)
    else:
        raise ValueError("unknown case op " + op)
    return out


async def capture(ws, cases):
    for c in cases:
        op = c["op"]
        if op in ("text", "binary"):
            await send_message(ws, c, payload(c["payload"]))
        elif op == "ping":
            await ws.ping(payload(c["payload"]))
        elif op == "close":
            await ws.close(c["code"], c["reason"])
            return {"case": "capture", "code": ws.close_code, "reason": ws.close_reason}
        else:
            raise ValueError("case op %s cannot be captured" % op)
    raise ValueError("capture cases must end with a close")


async def main(spec):
    ws = await websockets.connect(
        spec["url"], max_size=None, ping_interval=None, open_timeout=5, close_timeout=5)
    report({"case": "open", "extensions": ws.response_headers.get("Sec-WebSocket-Extensions", "")})
    if spec["mode"] == "capture":
        report(await capture(ws, spec["cases"]))
        return 0
    for c in spec["cases"]:
        try:
            report(await run_case(ws, c))
        except Exception as e:  # reported to the test, which fails on it
            report({"case": c["name"], "error": "%s: %s" % (type(e).__name__, e)})
            return 1
    return 0


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    try:
        sys.exit(asyncio.run(asyncio.wait_for(main(spec), spec["timeoutMs"] / 1000)))
    except asyncio.TimeoutError:
        report({"error": "timed out after %d ms" % spec["timeoutMs"]})
        sys.exit(2)
