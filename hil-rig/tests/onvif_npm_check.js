// Drive a simulated camera with npm `onvif` (agsh, 0.8.3), which switches to Media2 as soon as
// GetServices lists it. Run by tests/onvif_npm.rs; not a test framework test. Usage:
//   ONVIF_TEST_PASSWORD=... NODE_PATH=tests/npm/node_modules node onvif_npm_check.js HOST PORT USER
// Prints one JSON object; exits 0 when every check holds, 1 when one fails, 2 when `onvif` is
// not installed.
'use strict';

let Cam;
try {
	({ Cam } = require('onvif'));
} catch (e) {
	console.error('npm onvif is not installed: ' + e.message);
	process.exit(2);
}

const [host, port, user] = process.argv.slice(2);
const password = process.env.ONVIF_TEST_PASSWORD;
// The encoding to set through Media2: H265 by default; H264 for cameras that only stream H.264.
const encoding = process.env.ONVIF_TEST_ENCODING || 'H265';

function call(cam, method, ...args) {
	return new Promise((resolve, reject) => {
		cam[method](...args, (err, data) => (err ? reject(err) : resolve(data)));
	});
}

function check(condition, what) {
	if (!condition) {
		throw new Error('check failed: ' + what);
	}
}

async function session(useWSSecurity) {
	const cam = new Cam({
		hostname: host,
		port: Number(port),
		username: user,
		password: password,
		timeout: 10000,
		autoconnect: false,
		useWSSecurity: useWSSecurity,
	});
	await call(cam, 'connect');
	return cam;
}

async function main() {
	const result = {};
	const cam = await session(true);
	result.media2 = cam.media2Support === true;
	check(result.media2, 'Media2 is used');
	const info = await call(cam, 'getDeviceInformation');
	result.serial = info.serialNumber;
	result.profiles = cam.profiles.map((p) => p.$.token);
	const uri = await call(cam, 'getStreamUri', { protocol: 'RTSP', profileToken: 'main' });
	result.stream_uri = uri.uri;
	check(String(uri.uri).startsWith('rtsp://'), 'stream URI is rtsp://');

	const configs = await call(cam, 'setVideoEncoderConfiguration', {
		$: { token: 'vec_main', GovLength: 20, Profile: 'Main' },
		name: 'main',
		encoding,
		resolution: { width: 1280, height: 720 },
		quality: 5,
		rateControl: { frameRateLimit: 10, bitrateLimit: 1024 },
	});
	const main = [].concat(configs).find((c) => c.$.token === 'vec_main');
	result.after_set = {
		encoding: main.encoding,
		width: main.resolution.width,
		height: main.resolution.height,
		fps: main.rateControl.frameRateLimit,
		kbps: main.rateControl.bitrateLimit,
		gov: Number(main.$.GovLength),
	};
	check(
		JSON.stringify(result.after_set) ===
			JSON.stringify({ encoding, width: 1280, height: 720, fps: 10, kbps: 1024, gov: 20 }),
		'Media2 SetVideoEncoderConfiguration round-trips'
	);

	// The snapshot URI through Media2; the caller fetches it with an HTTP Digest client.
	const snapshot = await call(cam, 'getSnapshotUri', { profileToken: 'main' });
	result.snapshot_uri = snapshot.uri;
	check(String(snapshot.uri).startsWith('http://'), 'snapshot URI is http://');

	// HTTP Digest instead of WS-UsernameToken: answer the 401 challenge.
	const digest = await session(false);
	const digestInfo = await call(digest, 'getDeviceInformation');
	result.digest_serial = digestInfo.serialNumber;
	check(result.digest_serial === result.serial, 'HTTP Digest session works');
	return result;
}

const timer = setTimeout(() => {
	console.error('npm onvif check timed out');
	process.exit(1);
}, 60000);

main().then(
	(result) => {
		clearTimeout(timer);
		console.log(JSON.stringify(result));
	},
	(err) => {
		clearTimeout(timer);
		console.error(String(err && err.message ? err.message : err));
		process.exit(1);
	}
);
