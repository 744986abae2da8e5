// The echo cases, run by the Node client and by the browser page through the
// same code. A case list comes from the Go test (see cases_test.go); each
// result is one object, printed or shown as one JSON line.
//
// A connection adapter has:
//   send(bytes, text, fin)  one frame's worth of a message (fin false: more follow)
//   next()                  Promise of the next message {text, data: Uint8Array}
//   ping(bytes)             Promise of the pong's payload (optional)
//   close(code, reason)     Promise of {code, reason}: the peer's close frame
//   closed()                Promise of {code, reason} once the peer closed

const encoder = new TextEncoder();

// Web Crypto: global in browsers and in Node 19 and later, an import in
// Node 18.
const subtle = (globalThis.crypto ?? (await import("node:crypto")).webcrypto).subtle;

// payload returns the bytes a payload spec describes: text repeated, bytes
// in hex, or size bytes of the xorshift32 stream started at seed,
// little-endian words. Fields left out of the JSON are zero.
export function payload(p) {
	if (p.kind === "text") {
		return encoder.encode((p.text ?? "").repeat(p.repeat ?? 0));
	}
	if (p.kind === "hex") {
		return Uint8Array.from((p.text ?? "").match(/../g) ?? [], (h) => parseInt(h, 16));
	}
	if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
		throw new Error("big-endian host: the payload's words would be swapped");
	}
	const size = p.size ?? 0;
	const words = new Uint32Array(Math.ceil(size / 4));
	let x = (p.seed ?? 0) >>> 0;
	for (let i = 0; i < words.length; i++) {
		x ^= x << 13;
		x >>>= 0;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		words[i] = x;
	}
	return new Uint8Array(words.buffer, 0, size);
}

export async function sha256(bytes) {
	const d = await subtle.digest("SHA-256", bytes);
	return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(parts) {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let off = 0;
	for (const p of parts) {
		out.set(p, off);
		off += p.length;
	}
	return out;
}

// sendMessage sends a message whole or, with c.frags, as fragments of those
// byte lengths; with c.ping it sends a ping after the first fragment and
// returns the pong's promise.
function sendMessage(conn, c, data) {
	const text = c.op === "text";
	if (!c.frags) {
		conn.send(data, text, true);
		return null;
	}
	let pong = null;
	let off = 0;
	c.frags.forEach((n, i) => {
		conn.send(data.subarray(off, off + n), text, i === c.frags.length - 1);
		off += n;
		if (i === 0 && c.ping) {
			pong = conn.ping(payload(c.ping));
			pong.catch(() => {}); // awaited later, if the echo comes
		}
	});
	if (off !== data.length) {
		throw new Error(`${c.name}: fragments cover ${off} of ${data.length} bytes`);
	}
	return pong;
}

async function echo(conn, out) {
	const got = await conn.next();
	out.op = got.text ? "text" : "binary";
	out.len = got.data.length;
	out.sha256 = await sha256(got.data);
}

async function runCase(conn, c) {
	const out = { case: c.name };
	switch (c.op) {
	case "text":
	case "binary": {
		const data = payload(c.payload);
		out.sent = await sha256(data);
		const pong = sendMessage(conn, c, data);
		await echo(conn, out);
		if (pong) {
			out.pong = await sha256(await pong);
		}
		return out;
	}
	case "burst": {
		const sent = c.messages.map((m) => payload(m.payload));
		out.sent = await sha256(concat(sent));
		c.messages.forEach((m, i) => conn.send(sent[i], m.op === "text", true));
		const got = [];
		let ops = "";
		for (let i = 0; i < c.messages.length; i++) {
			const m = await conn.next();
			ops += m.text ? "t" : "b";
			got.push(m.data);
		}
		out.ops = ops;
		out.len = got.reduce((n, p) => n + p.length, 0);
		out.sha256 = await sha256(concat(got));
		return out;
	}
	case "ping": {
		const data = payload(c.payload);
		out.sent = await sha256(data);
		out.pong = await sha256(await conn.ping(data));
		return out;
	}
	case "close": {
		const start = Date.now();
		const r = await conn.close(c.code, c.reason);
		out.code = r.code;
		out.reason = r.reason;
		out.ms = Date.now() - start;
		return out;
	}
	case "violation": {
		// Text that is not UTF-8: the peer must fail the connection.
		const data = payload(c.payload);
		out.sent = await sha256(data);
		const start = Date.now();
		sendMessage(conn, { ...c, op: "text" }, data);
		const r = await conn.closed();
		out.code = r.code;
		out.reason = r.reason;
		out.ms = Date.now() - start;
		return out;
	}
	}
	throw new Error(`unknown case op ${c.op}`);
}

// run runs the cases in order, calling report with each result; a failure
// is reported as {case, error} and ends the run.
export async function run(conn, cases, report) {
	for (const c of cases) {
		try {
			report(await runCase(conn, c));
		} catch (e) {
			report({ case: c.name, error: String(e && e.stack || e) });
			return false;
		}
	}
	return true;
}

// capture sends every case without waiting for answers, then closes: the
// bytes a peer writes, for testdata.
export async function capture(conn, cases) {
	for (const c of cases) {
		if (c.op === "text" || c.op === "binary") {
			sendMessage(conn, c, payload(c.payload));
		} else if (c.op === "ping") {
			conn.ping(payload(c.payload)).catch(() => {}); // nobody answers it
		} else if (c.op === "close") {
			return conn.close(c.code, c.reason);
		} else {
			throw new Error(`case op ${c.op} cannot be captured`);
		}
	}
	throw new Error("capture cases must end with a close");
}

// text returns the string a text frame's bytes hold, for fragments that
// split no character.
export function text(bytes) {
	return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}
