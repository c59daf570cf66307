import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { testIdentity, type TestIdentity } from '../testkit/identity.js';
import { tempDir } from '../testkit/tmp.js';
import { HashPool } from '../src/core/index.js';
import { addPrincipal, getPrincipal, type PrincipalRecord } from '../src/identity/index.js';
import {
  listPromotionRequests,
  openRegistry,
  registerModel,
  requestPromotion,
  reviewPromotion,
  setModelAlias,
  showModel,
  type ModelView,
  type RegistryContext,
} from '../src/registry/index.js';

const root = tempDir();
let world: TestIdentity;
let pool: HashPool;
let registry: RegistryContext;
const people: Record<string, PrincipalRecord> = {};
const ACTORS = ['alice', 'ci', 'bob', 'carol', 'mallory'] as const;

before(async () => {
  world = await testIdentity(path.join(root, 'home'));
  pool = new HashPool({ size: 1 });
  registry = await openRegistry(world.state, world.identity, { pool, toolVersion: 'test' });
  const now = new Date();
  const add = (name: string, roles: PrincipalRecord['roles'], owner: string | null = null) =>
    addPrincipal(world.state.store, {
      name,
      type: owner === null ? 'human' : 'service',
      roles,
      owner,
      createdBy: 'admin',
      now,
    });
  // alice trains and holds every reviewing role; ci is her service account with the same roles.
  await add('alice', ['ml-engineer', 'approver', 'security-reviewer', 'deployer']);
  await add('ci', ['ml-engineer', 'approver', 'security-reviewer'], 'alice');
  await add('bob', ['approver']);
  await add('carol', ['security-reviewer']);
  await add('mallory', ['admin']);
  for (const name of ACTORS) people[name] = await getPrincipal(world.state.store, name);
});
after(async () => {
  await pool.close();
  await world.close();
});

type Step =
  | { kind: 'promote'; actor: (typeof ACTORS)[number]; evidence: boolean }
  | { kind: 'review'; actor: (typeof ACTORS)[number]; decision: 'approve' | 'reject' }
  | { kind: 'alias'; actor: (typeof ACTORS)[number] };

const actor = fc.constantFrom(...ACTORS);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('promote' as const), actor, evidence: fc.boolean() }),
  fc.record({
    kind: fc.constant('review' as const),
    actor,
    decision: fc.constantFrom('approve' as const, 'reject' as const),
  }),
  fc.record({ kind: fc.constant('alias' as const), actor }),
);

let runs = 0;
let moved = 0;

describe('separation of duties (property)', () => {
  it('no sequence of calls moves production to a version unless two independent reviewers approved', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), async (steps) => {
        const name = `m${++runs}`;
        const folder = path.join(root, name);
        mkdirSync(folder);
        writeFileSync(path.join(folder, 'weights.txt'), `weights ${name}\n`);
        await registerModel(registry, people.ci as PrincipalRecord, { path: folder, name });
        let latest: string | undefined;
        for (const s of steps) {
          const who = people[s.actor] as PrincipalRecord;
          try {
            if (s.kind === 'promote') {
              const evidence = s.evidence ? [{ name: 'eval.json', bytes: Buffer.from('{}') }] : [];
              latest = (
                await requestPromotion(registry, who, {
                  ref: `${name}@1`,
                  alias: 'production',
                  evidence,
                })
              ).request;
            } else if (s.kind === 'review' && latest !== undefined) {
              await reviewPromotion(registry, who, { requestId: latest, decision: s.decision });
            } else if (s.kind === 'alias') {
              await setModelAlias(registry, who, { ref: `${name}@1`, alias: 'production' });
            }
          } catch {
            // Refusals are expected; the invariant below is what matters.
          }
        }
        const view = (await showModel(registry, people.bob as PrincipalRecord, name)) as ModelView;
        if (view.aliases.production === undefined) return;
        moved++;
        // Production moved: it must be by an approved request reviewed by bob and carol only.
        const { requests } = await listPromotionRequests(
          registry,
          people.bob as PrincipalRecord,
          name,
        );
        const approved = requests.filter((r) => r.state === 'approved' && r.alias === 'production');
        assert.equal(approved.length, 1);
        const shown = await showModel(registry, people.bob as PrincipalRecord, `${name}@1`);
        const reviews =
          ('requests' in shown ? shown.requests : []).find((r) => r.id === approved[0]?.id)
            ?.reviews ?? [];
        const approvers = reviews
          .filter((r) => r.decision === 'approve')
          .map((r) => r.principal)
          .sort();
        assert.deepEqual(approvers, ['bob', 'carol']);
      }),
      {
        numRuns: 40,
        examples: [
          [
            [
              { kind: 'promote', actor: 'alice', evidence: true },
              { kind: 'review', actor: 'ci', decision: 'approve' },
              { kind: 'review', actor: 'bob', decision: 'approve' },
              { kind: 'review', actor: 'carol', decision: 'approve' },
            ],
          ],
        ],
      },
    );
    assert.ok(moved > 0, 'some sequence moved production, so the invariant was exercised');
  });
});
