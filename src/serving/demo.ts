/**
 * The demo pipeline of `npm start`: the iris data registered as a dataset version, a small real
 * classifier trained from it through a recorded training run, registered with that run, scanned, signed,
 * promoted to production by two independent reviewers, granted to a demo client whose API key
 * is written to `<home>/demo-api-key` (0600). Idempotent: a second start reuses all of it.
 */
import path from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../core/index.js';
import {
  addPrincipal,
  createToken,
  findPrincipal,
  resolveToken,
  type PrincipalRecord,
  type Role,
} from '../identity/index.js';
import {
  aliasesOf,
  listRegisteredModels,
  registerModel,
  requestPromotion,
  reviewPromotion,
  type RegistryContext,
} from '../registry/index.js';
import { demoDataset, trainDemo, type DemoTraining } from './demo-train.js';
import { addGrants } from './grants.js';

/** The served and registered name of the demo model. */
export const DEMO_MODEL = 'demo';

/** What seeding did. */
export interface DemoSeed {
  readonly apiKey: string;
  readonly keyFile: string;
  /** The version production serves, or null when the demo was quarantined. */
  readonly version: number | null;
  /** False when everything already existed. */
  readonly created: boolean;
}

const PEOPLE: readonly [string, Role[], string | null][] = [
  ['demo-steward', ['data-steward'], null],
  ['demo-engineer', ['ml-engineer'], null],
  ['demo-approver', ['approver'], null],
  ['demo-reviewer', ['security-reviewer'], null],
  // The client is a service account with no role: its only permission is the gateway grant.
  ['demo-client', [], 'demo-engineer'],
];

const KEY_LIFETIME_MS = 30 * 86_400_000;

/** Seeds the demo pipeline into an open state folder (see the module comment). */
export async function seedDemo(
  registry: RegistryContext,
  home: string,
  training: DemoTraining,
): Promise<DemoSeed> {
  const db = registry.store;
  const now = registry.now();
  const people: Record<string, PrincipalRecord> = {};
  let created = false;
  for (const [name, roles, owner] of PEOPLE) {
    let principal = await findPrincipal(db, name);
    if (principal === null) {
      principal = await addPrincipal(db, {
        name,
        type: owner === null ? 'human' : 'service',
        owner,
        roles,
        createdBy: 'rampart-demo',
        now,
      });
      created = true;
    }
    people[name] = principal;
  }
  const person = (name: string): PrincipalRecord => people[name] as PrincipalRecord;
  let version = (await aliasesOf(db, DEMO_MODEL)).production;
  // A demo that exists but serves nothing was quarantined (or moved) by someone: leave it so.
  const exists = (await listRegisteredModels(registry, person('demo-engineer'))).models.some(
    (m) => m.name === DEMO_MODEL,
  );
  if (version === undefined && !exists) {
    const datasetRef = await demoDataset(registry, person('demo-steward'), training.dataset);
    const run = await trainDemo(registry, person('demo-engineer'), {
      ...training,
      datasetRef,
      outDir: path.join(home, 'demo', 'model'),
    });
    const registered = await registerModel(registry, person('demo-engineer'), {
      path: run.model,
      name: DEMO_MODEL,
      runId: run.runId,
    });
    const request = await requestPromotion(registry, person('demo-engineer'), {
      ref: `${DEMO_MODEL}@${registered.version}`,
      alias: 'production',
      evidence: [{ path: run.evidence }],
    });
    await reviewPromotion(registry, person('demo-approver'), {
      requestId: request.request,
      decision: 'approve',
      comment: 'demo: accuracy on the held-out split',
    });
    await reviewPromotion(registry, person('demo-reviewer'), {
      requestId: request.request,
      decision: 'approve',
      comment: 'demo: scan clean, signature verified',
    });
    version = registered.version;
    created = true;
  }
  await addGrants(db, {
    principal: 'demo-client',
    model: DEMO_MODEL,
    verbs: ['infer', 'metadata'],
    by: 'rampart-demo',
    now,
  });
  const keyFile = path.join(home, 'demo-api-key');
  let apiKey = (await readTextIfExists(keyFile))?.trim() ?? '';
  const valid = apiKey !== '' && (await resolveToken(db, apiKey, now));
  if (valid === false || !valid.ok || valid.principal.subject !== 'demo-client') {
    apiKey = (
      await createToken(db, {
        principal: 'demo-client',
        lifetimeMs: KEY_LIFETIME_MS,
        createdBy: 'rampart-demo',
        now,
      })
    ).token;
    await writeFileAtomic(keyFile, `${apiKey}\n`, { mode: 0o600, exclusive: false });
    created = true;
  }
  return { apiKey, keyFile, version: version ?? null, created };
}
