// The upstream of the gateway bench, in its own process so that the proxies in front of it
// (nginx, the gateway) each get their own process too: the embedded ONNX model server on
// 127.0.0.1 with the demo model loaded. Beside it, a bare node:http server that answers every
// request with a fixed 401: the floor of what any Node HTTP answer costs on this machine.
// Prints `{"url", "floorUrl"}` once listening; exits when stdin closes.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { RampartError, silentLogger } from '../src/core/index.js';
import { EmbeddedModelServer } from '../src/serving/index.js';

const [onnxPath, name, version] = process.argv.slice(2);
if (onnxPath === undefined || name === undefined || version === undefined) {
  throw new RampartError('RAMPART_USAGE', 'gateway-upstream: expected <onnx> <name> <version>');
}
const server = await EmbeddedModelServer.start({
  host: '127.0.0.1',
  port: 0,
  logger: silentLogger,
});
await server.load(name, version, readFileSync(onnxPath));
const floor = createServer((req, res) => {
  req.resume();
  const body = '{"error":"authentication required"}';
  res.writeHead(401, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
floor.listen(0, '127.0.0.1');
await once(floor, 'listening');
const address = floor.address();
const floorUrl = `http://127.0.0.1:${String(typeof address === 'object' && address !== null ? address.port : 0)}`;
process.stdout.write(`${JSON.stringify({ url: server.url, floorUrl })}\n`);
process.stdin.resume();
process.stdin.once('end', () => {
  floor.close();
  void server.close().then(() => process.exit(0));
});
