// A Node ws echo server on 127.0.0.1 and a port of the system's choosing.
// It prints {"port": N} once listening, then one JSON line per connection
// event: the extensions offered and the response's Sec-WebSocket-Extensions
// on open, the close code and reason each client sent. It echoes text and
// binary messages (ws answers pings itself), selects the first subprotocol
// offered, and closes with 4000 "requested" on the text message "close me".
//
// --deflate=off (ws's default), on or no-context sets permessage-deflate:
// on accepts it with threshold 0, so that every message is compressed, and
// keeps the server's compression context; no-context also sets
// server_no_context_takeover.
import { WebSocketServer } from "ws";

function print(obj) {
	process.stdout.write(JSON.stringify(obj) + "\n");
}

const deflateModes = {
	off: false,
	on: { threshold: 0 },
	"no-context": { threshold: 0, serverNoContextTakeover: true },
};
let mode = "off";
for (const arg of process.argv.slice(2)) {
	const m = /^--deflate=(.*)$/.exec(arg);
	if (!m || !(m[1] in deflateModes)) {
		process.stderr.write(`usage: server.mjs [--deflate=off|on|no-context], not ${arg}\n`);
		process.exit(2);
	}
	mode = m[1];
}

const wss = new WebSocketServer({
	host: "127.0.0.1",
	port: 0,
	maxPayload: 64 << 20,
	perMessageDeflate: deflateModes[mode],
	handleProtocols: (protocols) => protocols.values().next().value ?? false,
});

// The response's header lines, for the open event of the same request.
const responses = new WeakMap();
wss.on("headers", (headers, req) => responses.set(req, headers));

function responseExtensions(req) {
	const prefix = "sec-websocket-extensions:";
	const line = (responses.get(req) ?? []).find((h) => h.toLowerCase().startsWith(prefix));
	return line ? line.slice(prefix.length).trim() : "";
}

wss.on("connection", (ws, req) => {
	print({
		event: "open",
		protocol: ws.protocol,
		extensions: req.headers["sec-websocket-extensions"] ?? "",
		negotiated: responseExtensions(req),
	});
	let pings = 0;
	ws.on("ping", () => pings++);
	ws.on("message", (data, isBinary) => {
		if (!isBinary && data.toString("utf8") === "close me") {
			ws.close(4000, "requested");
			return;
		}
		ws.send(data, { binary: isBinary });
	});
	ws.on("close", (code, reason) => {
		print({ event: "close", code, reason: reason.toString("utf8"), pings });
	});
	ws.on("error", (err) => print({ event: "error", error: String(err) }));
});

wss.on("listening", () => print({ port: wss.address().port }));
