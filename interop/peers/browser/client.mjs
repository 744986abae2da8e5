// The browser's client: runs the cases of /cases.json against input.url
// with the WebSocket API and writes one JSON line per result into
// #results, after a first line {case: "open", extensions} with the
// extensions the server selected (WebSocket.extensions). A browser sends
// neither fragments nor pings, so the test gives it no such case.
import { run, text } from "../js/cases.mjs";

const out = document.getElementById("results");

function report(obj) {
	out.textContent += JSON.stringify(obj) + "\n";
}

// connect opens the connection and returns the adapter cases.mjs drives.
function connect(url) {
	const ws = new WebSocket(url);
	ws.binaryType = "arraybuffer";
	const encoder = new TextEncoder();
	const messages = [];
	const waiting = [];
	let closed = null;
	let failure = null;
	let onclose = null;
	ws.onmessage = (e) => {
		const m = typeof e.data === "string"
			? { text: true, data: encoder.encode(e.data) }
			: { text: false, data: new Uint8Array(e.data) };
		const w = waiting.shift();
		if (w) w.resolve(m);
		else messages.push(m);
	};
	ws.onclose = (e) => {
		closed = { code: e.code, reason: e.reason };
		failure = failure || new Error(`connection closed with ${e.code}`);
		for (const w of waiting.splice(0)) w.reject(failure);
		if (onclose) onclose(closed);
	};
	const conn = {
		send(bytes, isText, fin) {
			if (!fin) throw new Error("a browser cannot send fragments");
			ws.send(isText ? text(bytes) : bytes);
		},
		next() {
			if (messages.length) return Promise.resolve(messages.shift());
			if (failure) return Promise.reject(failure);
			return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
		},
		ping() {
			throw new Error("a browser cannot send pings");
		},
		close(code, reason) {
			return new Promise((resolve) => {
				if (closed) return resolve(closed);
				onclose = resolve;
				ws.close(code, reason);
			});
		},
	};
	return new Promise((resolve, reject) => {
		ws.onopen = () => resolve({ conn, extensions: ws.extensions });
		ws.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
	});
}

try {
	const input = await (await fetch("/cases.json")).json();
	const { conn, extensions } = await connect(input.url);
	report({ case: "open", extensions });
	await run(conn, input.cases, report);
} catch (e) {
	report({ error: String(e && e.stack || e) });
}
await fetch("/done", { method: "POST" });
