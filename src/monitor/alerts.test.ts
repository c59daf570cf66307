import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';

import { auditEventInputSchema } from '../audit/index.js';
import { closeServer, createLogger } from '../core/index.js';
import {
  AlertRouter,
  AuditAlertSink,
  extractionAlert,
  LogAlertSink,
  WebhookAlertSink,
} from './alerts.js';
import type { Alert, AlertSink } from './alerts.js';

const alert = (over: Partial<Alert> = {}): Alert => ({
  kind: 'extraction',
  severity: 'critical',
  principal: 'key:k1',
  model: 'fraud',
  version: '3',
  summary: 'possible model extraction',
  details: { w: 0.81 },
  time: '2026-11-25T17:40:00.000Z',
  ...over,
});

const received: unknown[] = [];
let status = 204;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({
      type: req.headers['content-type'],
      body: JSON.parse(Buffer.concat(chunks).toString()) as unknown,
    });
    if (status === 0) return; // never answer: the sink's deadline must fire
    res.writeHead(status).end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => closeServer(server, 100));

test('the webhook sink POSTs the alert as JSON to a real server', async () => {
  const sink = new WebhookAlertSink(`${base}/hook`, { timeoutMs: 2000 });
  await sink.send(alert());
  assert.equal(sink.sent, 1);
  assert.equal(sink.failed, 0);
  assert.deepEqual(received.at(-1), { type: 'application/json', body: alert() });
});

test('webhook failures (error status, timeout, refused connection) are counted, not thrown', async () => {
  status = 500;
  const sink = new WebhookAlertSink(`${base}/hook`, { timeoutMs: 200 });
  await sink.send(alert());
  status = 0;
  await sink.send(alert());
  status = 204;
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await closeServer(closed, 100);
  await new WebhookAlertSink(`http://127.0.0.1:${port}/`, { timeoutMs: 500 }).send(alert());
  assert.equal(sink.failed, 2);
  assert.throws(() => new WebhookAlertSink('file:///etc/passwd'), /http\(s\)/);
});

test('the log sink writes one structured warning line', async () => {
  const lines: string[] = [];
  const sink = new LogAlertSink(
    createLogger({ level: 'info', format: 'json', sink: (l) => void lines.push(l) }),
  );
  await sink.send(alert());
  const line = JSON.parse(lines[0]!) as { level: string; msg: string; alert: Alert };
  assert.equal(line.level, 'warn');
  assert.equal(line.alert.principal, 'key:k1');
});

test('the audit sink appends a valid audit event and counts append failures', async () => {
  const entries: unknown[] = [];
  const sink = new AuditAlertSink((entry) => {
    entries.push(entry);
    return Promise.resolve({ index: 0 });
  });
  await sink.send(alert());
  assert.equal(auditEventInputSchema.safeParse(entries[0]).success, true);
  assert.deepEqual((entries[0] as { resource: unknown }).resource, {
    type: 'principal',
    id: 'key:k1',
  });
  const failing = new AuditAlertSink(() => Promise.reject(new Error('log closed')));
  const { kind, severity, summary, details, time } = alert();
  await failing.send({ kind, severity, summary, details, time, model: 'fraud' });
  assert.equal(failing.failed, 1);
});

test('the router sends one alert per kind and principal/model per cooldown', async () => {
  let now = 0;
  const got: Alert[] = [];
  const memory: AlertSink = {
    name: 'memory',
    failed: 0,
    send: (a) => Promise.resolve(void got.push(a)),
  };
  const router = new AlertRouter({ sinks: [memory], cooldownMs: 1000, now: () => now });
  assert.equal(router.emit(alert()), true);
  assert.equal(router.emit(alert()), false);
  assert.equal(router.emit(alert({ principal: 'key:k2' })), true);
  assert.equal(router.emit(alert({ kind: 'drift' })), true);
  now = 1000;
  assert.equal(router.emit(alert()), true);
  await router.flush();
  assert.equal(got.length, 4);
  assert.equal(router.suppressed, 1);
  // Asking first (to skip building a repeat) agrees with emit and counts the suppression.
  assert.equal(router.suppresses(alert()), true);
  assert.equal(router.suppresses(alert({ principal: 'key:k3' })), false);
  now = 2000;
  assert.equal(router.suppresses(alert()), false);
  assert.equal(router.suppressed, 2);
});

test('an extraction alarm becomes an alert naming the signals', () => {
  const a = extractionAlert(
    {
      principal: 'key:k9',
      queries: 420,
      signals: [{ signal: 'prada', value: 0.8, threshold: 0.9, alarm: true }],
    },
    { model: 'fraud', version: '3', time: new Date(0) },
  );
  assert.equal(a.kind, 'extraction');
  assert.equal(a.severity, 'critical');
  assert.match(a.summary, /key:k9 after 420 queries \(prada\)/);
});
