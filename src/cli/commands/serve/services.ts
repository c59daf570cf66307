import path from 'node:path';
import { packageRoot, type Logger } from '../../../core/index.js';
import { createJwtVerifier, openIdentity, type Identity } from '../../../identity/index.js';
import type { RegistryContext } from '../../../registry/index.js';
import { readTlsFiles } from '../../../server/index.js';
import {
  DEMO_MODEL,
  seedDemo,
  startServing,
  type DemoSeed,
  type RunningServing,
} from '../../../serving/index.js';
import type { State } from '../../../state/index.js';
import { openStateRegistry } from '../../session.js';

/** Identity, registry and a hashing pool over an open state folder, for the servers. */
export interface Services {
  readonly identity: Identity;
  readonly registry: RegistryContext;
  close(): Promise<void>;
}

/** Opens the services the control plane and the gateway share. */
export async function openServices(state: State): Promise<Services> {
  const oidc = state.config.identity.oidc;
  const identity = await openIdentity(state, {
    jwt: oidc === null ? undefined : createJwtVerifier(oidc),
  });
  const opened = await openStateRegistry(state, identity);
  return { identity, registry: opened.registry, close: () => opened.close() };
}

/** Starts the gateway (and its embedded model server) on host:port, with gateway.tls. */
export async function startGatewayStack(
  state: State,
  services: Services,
  logger: Logger,
  address: { readonly host: string; readonly port: number },
): Promise<RunningServing> {
  const tls = state.config.gateway.tls;
  return startServing({
    state,
    identity: services.identity,
    registry: services.registry,
    logger: logger.child({ component: 'gateway' }),
    host: address.host,
    port: address.port,
    tls: tls === null ? undefined : await readTlsFiles(tls, state.layout.home),
  });
}

/**
 * Seeds the demo pipeline (`npm start`) and returns the state with the demo model served by
 * the gateway (added to gateway.models unless the configuration already serves it).
 */
export async function withDemo(
  state: State,
  services: Services,
  searchPath: string | undefined,
): Promise<{ state: State; seed: DemoSeed }> {
  const root = (file: string) => path.join(packageRoot(), file);
  const seed = await seedDemo(services.registry, state.layout.home, {
    dataset: root('fixtures/demo/iris'),
    trainer: root('dist/scripts/demo-model/train.js'),
    node: process.execPath,
    searchPath: searchPath ?? '/usr/sbin:/usr/bin:/sbin:/bin',
  });
  const gateway = state.config.gateway;
  if (gateway.models.some((m) => m.name === DEMO_MODEL)) return { state, seed };
  const demo = {
    name: DEMO_MODEL,
    model: null,
    alias: 'production',
    upstream: null,
    rateLimit: null,
  };
  const config = { ...state.config, gateway: { ...gateway, models: [...gateway.models, demo] } };
  return { state: { ...state, config }, seed };
}
