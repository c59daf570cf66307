// Debian's nginx as the reverse-proxy baseline: one worker, keep-alive to the upstream, an
// access log like the gateway's, run in the foreground from a scratch prefix.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { childPids, freePort, spawnTracked, stopChild, waitForHttp } from './gateway-procs.js';

/** A running nginx. */
export interface RunningNginx {
  readonly url: string;
  /** The worker's pid: the process that does the proxying, for CPU readings. */
  readonly workerPid: number;
  readonly version: string;
  stop(): Promise<void>;
}

/** Starts nginx proxying 127.0.0.1:<free port> to `upstream` (`http://host:port`). */
export async function startNginx(dir: string, upstream: string): Promise<RunningNginx> {
  const prefix = path.join(dir, 'nginx');
  mkdirSync(path.join(prefix, 'tmp'), { recursive: true });
  const port = await freePort();
  const conf = path.join(prefix, 'nginx.conf');
  writeFileSync(conf, config(prefix, port, new URL(upstream).host));
  const errorLog = path.join(prefix, 'error.log');
  const child = spawnTracked('nginx', ['-p', prefix, '-c', conf, '-e', errorLog], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${String(port)}`;
  try {
    await waitForHttp(`${url}/v2/health/live`);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    url,
    workerPid: workerOf(child),
    // `nginx -v` writes its version to stderr.
    version: spawnSync('nginx', ['-v'], { encoding: 'utf8' }).stderr.trim(),
    stop: () => stopChild(child),
  };
}

function workerOf(master: ChildProcess): number {
  return childPids(master.pid ?? 0)[0] ?? 0;
}

function config(prefix: string, port: number, upstreamHost: string): string {
  const tmp = path.join(prefix, 'tmp');
  return `daemon off;
master_process on;
worker_processes 1;
pid ${path.join(prefix, 'nginx.pid')};
events { worker_connections 1024; }
http {
  access_log ${path.join(prefix, 'access.log')} combined buffer=64k flush=1s;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  upstream model {
    server ${upstreamHost};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${String(port)};
    client_max_body_size 1m;
    location / {
      proxy_pass http://model;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}
