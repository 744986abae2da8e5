// A Node ws echo server on 127.0.0.1 and a port of the system's choosing.
// It prints {"port": N} once listening, then one JSON line per connection
// event: the close code and reason each client sent. It echoes text and
// binary messages (ws answers pings itself), selects the first subprotocol
// offered, and closes with 4000 "requested" on the text message "close me".
import { WebSocketServer } from "ws";

function print(obj) {
	process.stdout.write(JSON.stringify(obj) + "\n");
}

const wss = new WebSocketServer({
	host: "127.0.0.1",
	port: 0,
	maxPayload: 64 << 20,
	handleProtocols: (protocols) => protocols.values().next().value ?? false,
});

wss.on("connection", (ws, req) => {
	print({ event: "open", protocol: ws.protocol, extensions: req.headers["sec-websocket-extensions"] ?? "" });
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
