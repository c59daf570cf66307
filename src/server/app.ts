import { Hono } from 'hono';
import { RampartError, type Logger } from '../core/index.js';
import { mountAuditRoutes, type AuditService } from './audit-routes.js';
import { authenticate, authorize, type ServerIdentity } from './identity.js';
import { mountRegistryRoutes } from './registry-routes.js';
import type { RegistryContext } from '../registry/index.js';
import { errorHandler } from './http-errors.js';
import { HttpMetrics } from './metrics.js';
import { requestLog } from './request-log.js';

/** A dependency the server needs before it can take traffic (the store, the blob folder). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when healthy; rejects with a coded error otherwise. */
  check(): Promise<void>;
}

/** What the control plane is built from; all injected, so tests build it in-process. */
export interface ControlPlaneOptions {
  readonly logger: Logger;
  readonly version: string;
  readonly readiness: readonly ReadinessCheck[];
  /** Authentication (tokens, JWT, mTLS) and the policy decision point. */
  readonly identity: ServerIdentity;
  /** Facts for the authenticated status endpoint (store dialect, schema version, ...). */
  readonly status: () => Promise<Readonly<Record<string, unknown>>>;
  /** The audit log to serve under /audit; the routes are absent without it. */
  readonly audit?: AuditService;
  /** The model registry to serve under /v1/models and /v1/promotions; absent without it. */
  readonly registry?: RegistryContext;
}

/** Builds the control-plane HTTP application. */
export function createControlPlane(options: ControlPlaneOptions): Hono {
  const settings = Object.freeze({ ...options });
  const metrics = new HttpMetrics();
  const app = new Hono();
  app.use(requestLog(settings.logger), metrics.middleware());
  app.onError(errorHandler(settings.logger));
  app.notFound((c) => {
    throw new RampartError('RAMPART_NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
  });

  app.get('/healthz', (c) => c.json({ status: 'ok', version: settings.version }));
  app.get('/readyz', async (c) => {
    const checks = await runChecks(settings.readiness);
    const ready = Object.values(checks).every((v) => v === 'ok');
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
  app.get('/metrics', (c) =>
    c.text(metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
  const authenticated = authenticate(settings.identity);
  app.get('/v1/status', authenticated, async (c) => {
    await authorize(settings.identity, c, 'status.read', { type: 'server', id: 'status' });
    return c.json({ version: settings.version, ...(await settings.status()) });
  });
  if (settings.audit !== undefined) {
    mountAuditRoutes(app, { ...settings.audit, identity: settings.identity });
  }
  if (settings.registry !== undefined) {
    mountRegistryRoutes(app, { registry: settings.registry, identity: settings.identity });
  }
  return app;
}

async function runChecks(checks: readonly ReadinessCheck[]): Promise<Record<string, string>> {
  const results = await Promise.all(
    checks.map(async (item) => {
      try {
        await item.check();
        return [item.name, 'ok'] as const;
      } catch (error) {
        return [
          item.name,
          error instanceof RampartError ? error.code : 'RAMPART_INTERNAL',
        ] as const;
      }
    }),
  );
  return Object.fromEntries(results);
}
