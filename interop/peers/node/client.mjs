// A Node ws client: reads {url, mode, cases} as JSON on stdin, connects and
// runs the cases (mode "echo") or only sends them (mode "capture"), printing
// one JSON line per result, after a first line {case: "open", extensions}
// with the response's Sec-WebSocket-Extensions.
//
// It offers permessage-deflate as ws does by default, with threshold 0:
// once the server accepts it, every message it sends is compressed, a
// fragmented one as one DEFLATE stream across its fragments.
import { WebSocket } from "ws";
import { run, capture } from "../js/cases.mjs";

async function readStdin() {
	const chunks = [];
	for await (const c of process.stdin) {
		chunks.push(c);
	}
	return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

function print(obj) {
	process.stdout.write(JSON.stringify(obj) + "\n");
}

// connect opens the connection and returns the adapter cases.mjs drives,
// with the extensions the server's response selected.
function connect(url) {
	const ws = new WebSocket(url, { handshakeTimeout: 5000, perMessageDeflate: { threshold: 0 } });
	let extensions = "";
	ws.once("upgrade", (res) => {
		extensions = res.headers["sec-websocket-extensions"] ?? "";
	});
	const messages = [];
	const waiting = [];
	const pongs = [];
	let closed = null;
	let failure = null;
	const fail = (err) => {
		failure = err;
		for (const w of waiting.splice(0)) w.reject(err);
		for (const p of pongs.splice(0)) p.reject(err);
	};
	ws.on("message", (data, isBinary) => {
		const m = { text: !isBinary, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
		const w = waiting.shift();
		if (w) w.resolve(m);
		else messages.push(m);
	});
	ws.on("pong", (data) => {
		const p = pongs.shift();
		if (p) p.resolve(new Uint8Array(data.buffer, data.byteOffset, data.length));
	});
	ws.on("error", (err) => fail(err));
	ws.on("close", (code, reason) => {
		closed = { code, reason: reason.toString("utf8") };
		if (!failure) fail(new Error(`connection closed with ${code}`));
	});
	const conn = {
		send(bytes, text, fin) {
			ws.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), { binary: !text, fin });
		},
		next() {
			if (messages.length) return Promise.resolve(messages.shift());
			if (failure) return Promise.reject(failure);
			return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
		},
		ping(bytes) {
			ws.ping(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
			if (failure) return Promise.reject(failure);
			return new Promise((resolve, reject) => pongs.push({ resolve, reject }));
		},
		close(code, reason) {
			return new Promise((resolve) => {
				if (closed) return resolve(closed);
				ws.once("close", () => resolve(closed));
				ws.close(code, reason);
			});
		},
		closed() {
			return new Promise((resolve) => {
				if (closed) return resolve(closed);
				ws.once("close", () => resolve(closed));
			});
		},
	};
	return new Promise((resolve, reject) => {
		ws.once("open", () => resolve({ conn, extensions }));
		ws.once("error", reject);
	});
}

const input = await readStdin();
setTimeout(() => {
	print({ error: `timed out after ${input.timeoutMs} ms` });
	process.exit(2);
}, input.timeoutMs).unref();
const { conn, extensions } = await connect(input.url);
print({ case: "open", extensions });
if (input.mode === "capture") {
	print({ case: "capture", ...(await capture(conn, input.cases)) });
	process.exit(0);
}
process.exit((await run(conn, input.cases, print)) ? 0 : 1);
