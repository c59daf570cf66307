import type { Server } from 'node:http';

/**
 * Stops a listening HTTP(S) server: no new connections, idle keep-alive connections closed at
 * once, open requests given `graceMs` to finish before their connections are cut.
 */
export async function closeServer(server: Server, graceMs = 5000): Promise<void> {
  const closed = new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    server.closeAllConnections();
  }, graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
