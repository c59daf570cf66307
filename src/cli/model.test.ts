import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rampart } from '../../testkit/cli.js';
import { tempDir } from '../../testkit/tmp.js';

type Body = Record<string, unknown>;

/** A registry with people and tokens: alice trains, bob approves, carol reviews security. */
const BASE = tempDir('rampart-model-');
let worlds = 0;

async function world() {
  const root = path.join(BASE, `w${++worlds}`);
  const home = path.join(root, 'home');
  assert.equal((await rampart(['init', '--home', home])).code, 0);
  const admin = readFileSync(path.join(home, 'admin.token'), 'utf8').trim();
  const as = async (token: string, args: string[]) => {
    const run = await rampart([...args, '--home', home, '--json'], { RAMPART_TOKEN: token });
    return { ...run, body: JSON.parse(run.stdout || '{}') as Body };
  };
  const tokens: Record<string, string> = { admin };
  const people: [string, string, string[]][] = [
    ['alice', 'ml-engineer,approver', []],
    ['bob', 'approver', []],
    ['carol', 'security-reviewer', []],
    ['dave', 'security-reviewer', []],
    ['ci-train', 'approver', ['--service', '--owner', 'alice']],
    ['eve', 'auditor', []],
  ];
  for (const [name, roles, extra] of people) {
    assert.equal((await as(admin, ['principal', 'add', name, '--role', roles, ...extra])).code, 0);
    const created = await as(admin, ['token', 'create', '--principal', name]);
    assert.equal(created.code, 0, created.stderr);
    tokens[name] = created.body.token as string;
  }
  const model = path.join(root, 'model');
  mkdirSync(path.join(model, 'sub'), { recursive: true });
  writeFileSync(path.join(model, 'config.json'), '{"layers": 3}\n');
  writeFileSync(path.join(model, 'sub', 'weights.txt'), '0.1 0.2 0.3\n');
  const evidence = path.join(root, 'eval.json');
  writeFileSync(evidence, '{"auc": 0.97}\n');
  return { root, home, tokens, as, model, evidence };
}

type World = Awaited<ReturnType<typeof world>>;

const code = (run: { body: Body }) => (run.body.error as { code: string } | undefined)?.code;

/** The last audit entry before the read that fetches it (read with the admin token). */
async function lastEntry(w: World): Promise<Body> {
  const tail = await w.as(w.tokens.admin as string, ['audit', 'tail', '--count', '2']);
  const entries = tail.body.entries as { event: Body }[];
  // The tail's own decision (audit.read) is recorded before the entries are read.
  assert.equal(entries.at(-1)?.event.action, 'audit.read');
  return (entries.at(-2) as { event: Body }).event;
}

/** Files of the blob folder whose name is the hex of `digest`. */
function blobFile(home: string, digest: string): string {
  const hex = digest.replace('sha256:', '');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? walk(full) : [full];
    });
  const found = walk(path.join(home, 'blobs')).filter(
    (file) => path.basename(file).startsWith(hex.slice(2)) || path.basename(file) === hex,
  );
  assert.ok(found[0] !== undefined, `no blob file for ${digest}`);
  return found[0];
}

describe('rampart model: registry with evidence-gated promotion', () => {
  let w: World;
  before(async () => {
    w = await world();
  });

  it('registers an immutable version; a second register is a new version, never an overwrite', async () => {
    const first = await w.as(w.tokens.alice as string, [
      'model',
      'register',
      w.model,
      '--name',
      'fraud',
    ]);
    assert.equal(first.code, 0, first.stdout);
    assert.deepEqual(Object.keys(first.body).slice(0, 3), ['name', 'version', 'digest']);
    assert.equal(first.body.version, 1);
    const second = await w.as(w.tokens.alice as string, [
      'model',
      'register',
      w.model,
      '--name',
      'fraud',
    ]);
    assert.equal(second.body.version, 2);
    assert.equal(second.body.digest, first.body.digest);
    const shown = await w.as(w.tokens.eve as string, ['model', 'show', 'fraud@1']);
    assert.equal(shown.body.digest, first.body.digest);
    assert.equal((shown.body.files as unknown[]).length, 2);
  });

  it('the database itself refuses to change or delete a version or its lineage', () => {
    const db = new Database(path.join(w.home, 'rampart.db'));
    try {
      assert.throws(
        () =>
          db.prepare("UPDATE model_versions SET digest = 'sha256:00' WHERE name = 'fraud'").run(),
        /immutable/,
      );
      assert.throws(
        () => db.prepare("DELETE FROM model_versions WHERE name = 'fraud'").run(),
        /immutable/,
      );
    } finally {
      db.close();
    }
  });

  it('refuses a model whose scan finds code execution, and keeps the SARIF as evidence', async () => {
    const bad = path.join(w.root, 'bad');
    mkdirSync(bad);
    // protocol 2 pickle: os.system('id')
    writeFileSync(
      path.join(bad, 'model.pkl'),
      Buffer.from(
        '800263706f7369780a73797374656d0a710058020000006964710185710252710' + '32e',
        'hex',
      ),
    );
    const run = await w.as(w.tokens.alice as string, ['model', 'register', bad, '--name', 'evil']);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(code(run), 'RAMPART_MODEL_REFUSED');
    const details = (run.body.error as { details: { sarif: string } }).details;
    assert.match(details.sarif, /^sha256:[0-9a-f]{64}$/);
    const entry = await lastEntry(w);
    assert.equal((entry.decision as Body).allowed, false);
    assert.equal((entry.actor as Body).subject, 'alice');
    assert.equal((await w.as(w.tokens.eve as string, ['model', 'show', 'evil'])).code, 2);
  });

  it('refuses a path-traversal model name, with an audit entry', async () => {
    const run = await w.as(w.tokens.alice as string, [
      'model',
      'register',
      w.model,
      '--name',
      '../../etc/evil',
    ]);
    assert.equal(run.code, 2);
    assert.equal(code(run), 'RAMPART_MODEL_NAME_INVALID');
    const entry = await lastEntry(w);
    assert.equal(entry.action, 'model.register');
    assert.equal((entry.decision as Body).allowed, false);
  });

  it('refuses a registration by a principal without the role', async () => {
    const run = await w.as(w.tokens.bob as string, [
      'model',
      'register',
      w.model,
      '--name',
      'fraud',
    ]);
    assert.equal(run.code, 1);
    assert.equal(code(run), 'RAMPART_FORBIDDEN');
    assert.equal(((await lastEntry(w)).actor as Body).subject, 'bob');
  });

  it('refuses a promotion to production without evidence', async () => {
    const run = await w.as(w.tokens.alice as string, [
      'model',
      'promote',
      'fraud@1',
      '--to',
      'production',
    ]);
    assert.equal(run.code, 1);
    assert.equal(code(run), 'RAMPART_PROMOTION_REFUSED');
    assert.match((run.body.error as { message: string }).message, /evidence/);
  });

  it('moves production only after an approver and a security reviewer, neither the registrant', async () => {
    const { alice = '', bob = '', carol = '' } = w.tokens;
    const requested = await w.as(alice, [
      'model',
      'promote',
      'fraud@1',
      '--to',
      'production',
      '--evidence',
      w.evidence,
    ]);
    assert.equal(requested.code, 0, requested.stderr);
    const request = requested.body.request as string;
    assert.match(request, /^pr_[0-9a-f]{16}$/);

    const self = await w.as(alice, ['model', 'approve', request]);
    assert.equal(self.code, 1);
    assert.match((self.body.error as { message: string }).message, /separation of duties/);
    assert.equal(((await lastEntry(w)).decision as Body).allowed, false);

    const ownService = await w.as(w.tokens['ci-train'] as string, ['model', 'approve', request]);
    assert.equal(ownService.code, 1);
    assert.match(
      (ownService.body.error as { message: string }).message,
      /service account owned by alice/,
    );

    const direct = await w.as(alice, ['model', 'alias', 'fraud@1', '--to', 'production']);
    assert.equal(direct.code, 1);
    assert.equal(code(direct), 'RAMPART_ALIAS_PROTECTED');

    const first = await w.as(bob, ['model', 'approve', request, '--comment', 'AUC ok']);
    assert.equal(first.code, 0, first.stdout);
    assert.equal(first.body.moved, false);
    assert.deepEqual(first.body.pending, { 'security-reviewer': 1 });
    const again = await w.as(bob, ['model', 'approve', request]);
    assert.equal(code(again), 'RAMPART_PROMOTION_REFUSED');

    const second = await w.as(carol, ['model', 'approve', request]);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.body.moved, true);
    const shown = await w.as(w.tokens.eve as string, ['model', 'show', 'fraud']);
    assert.deepEqual(shown.body.aliases, { production: 1 });
    const closed = await w.as(w.tokens.dave as string, ['model', 'approve', request]);
    assert.equal(code(closed), 'RAMPART_PROMOTION_CLOSED');
  });

  it('unprotected aliases move directly', async () => {
    const run = await w.as(w.tokens.alice as string, [
      'model',
      'alias',
      'fraud@2',
      '--to',
      'staging',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const shown = await w.as(w.tokens.eve as string, ['model', 'show', 'fraud']);
    assert.deepEqual(shown.body.aliases, { production: 1, staging: 2 });
  });

  it('refuses to promote a version whose stored blob was altered, and verify names the file', async () => {
    const { alice = '', bob = '', carol = '' } = w.tokens;
    const bad = path.join(w.root, 'model3');
    mkdirSync(bad);
    writeFileSync(path.join(bad, 'weights.txt'), 'unique weights for version 3\n');
    const reg = await w.as(alice, ['model', 'register', bad, '--name', 'fraud']);
    assert.equal(reg.body.version, 3);
    assert.equal((await w.as(alice, ['model', 'verify', 'fraud@3'])).code, 0);
    const shown = await w.as(alice, ['model', 'show', 'fraud@3']);
    const file = (shown.body.files as { digest: string }[])[0] as { digest: string };
    const stored = blobFile(w.home, file.digest);
    const bytes = readFileSync(stored);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0x01;
    writeFileSync(stored, bytes);

    const verify = await w.as(alice, ['model', 'verify', 'fraud@3']);
    assert.equal(verify.code, 1);
    assert.equal(code(verify), 'RAMPART_MODEL_INTEGRITY');
    assert.match((verify.body.error as { message: string }).message, /weights\.txt/);

    const request = (
      await w.as(alice, [
        'model',
        'promote',
        'fraud@3',
        '--to',
        'production',
        '--evidence',
        w.evidence,
      ])
    ).body.request as string;
    assert.equal((await w.as(bob, ['model', 'approve', request])).code, 0);
    const gate = await w.as(carol, ['model', 'approve', request]);
    assert.equal(gate.code, 1);
    assert.match((gate.body.error as { message: string }).message, /gate refused/);
    const after = await w.as(w.tokens.eve as string, ['model', 'show', 'fraud']);
    assert.equal((after.body.aliases as Body).production, 1);
  });

  it('a review inserted into the database by hand does not satisfy the gate', async () => {
    const { alice = '', bob = '' } = w.tokens;
    const opened = await w.as(alice, [
      'model',
      'promote',
      'fraud@2',
      '--to',
      'production',
      '--evidence',
      w.evidence,
    ]);
    const request = opened.body.request as string;
    const db = new Database(path.join(w.home, 'rampart.db'));
    db.prepare(
      "INSERT INTO promotion_reviews (request_id, principal, role, decision, comment, statement, created_at) VALUES (?, 'dave', 'security-reviewer', 'approve', NULL, '{}', '2026-01-01T00:00:00.000Z')",
    ).run(request);
    db.close();
    const gate = await w.as(bob, ['model', 'approve', request]);
    assert.equal(gate.code, 1);
    assert.match(
      (gate.body.error as { message: string }).message,
      /review by dave does not verify/,
    );
    const shown = await w.as(w.tokens.eve as string, ['model', 'show', 'fraud']);
    assert.equal((shown.body.aliases as Body).production, 1);
  });

  it('quarantine removes a version from every alias and blocks its promotion', async () => {
    const { alice = '' } = w.tokens;
    const q = await w.as(w.tokens.carol as string, [
      'model',
      'quarantine',
      'fraud@1',
      '--reason',
      'backdoor suspected',
    ]);
    assert.equal(q.code, 0, q.stderr);
    assert.deepEqual(q.body.removedAliases, ['production']);
    const shown = await w.as(w.tokens.eve as string, ['model', 'show', 'fraud']);
    assert.equal((shown.body.aliases as Body).production, undefined);
    const again = await w.as(alice, [
      'model',
      'promote',
      'fraud@1',
      '--to',
      'production',
      '--evidence',
      w.evidence,
    ]);
    assert.equal(code(again), 'RAMPART_MODEL_QUARANTINED');
    const alias = await w.as(alice, ['model', 'alias', 'fraud@1', '--to', 'staging']);
    assert.equal(code(alias), 'RAMPART_MODEL_QUARANTINED');
  });

  it('exports a CycloneDX 1.6 ML-BOM of a version', async () => {
    const run = await w.as(w.tokens.eve as string, ['model', 'bom', 'fraud@1']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.body.bomFormat, 'CycloneDX');
    assert.equal(run.body.specVersion, '1.6');
    // fraud@1 went to production with bob's and carol's signed reviews, then was quarantined.
    const model = (run.body.components as { properties: { name: string; value: string }[] }[])[0];
    const props = new Map((model?.properties ?? []).map((p) => [p.name, p.value]));
    const reviewers = [...props].filter(([k]) => /^rampart:approval\.\d+\.principal$/.test(k));
    assert.deepEqual(reviewers.map(([, v]) => v).sort(), ['bob', 'carol']);
    assert.equal(props.get('rampart:quarantined'), 'true');
  });
});

describe('rampart token and principal: authentication contract', () => {
  it('a missing, unknown, revoked or expired token exits 1 and leaves an audit entry', async () => {
    const w = await world();
    const missing = await w.as('', ['model', 'list']);
    assert.equal(missing.code, 1);
    assert.equal(code(missing), 'RAMPART_UNAUTHENTICATED');
    const unknown = await w.as(`rmp_${'A'.repeat(43)}`, ['model', 'list']);
    assert.equal(unknown.code, 1);
    const made = await w.as(w.tokens.admin as string, [
      'token',
      'create',
      '--principal',
      'bob',
      '--expires',
      '1h',
    ]);
    const token = made.body.token as string;
    assert.equal((await w.as(token, ['model', 'list'])).code, 0);
    const id = made.body.id as string;
    assert.equal((await w.as(w.tokens.admin as string, ['token', 'revoke', id])).code, 0);
    const revoked = await w.as(token, ['model', 'list']);
    assert.equal(revoked.code, 1);
    assert.match((revoked.body.error as { message: string }).message, /revoked/);
    const entry = await lastEntry(w);
    assert.equal(entry.action, 'identity.authenticate');
    assert.equal((entry.actor as Body).subject, 'bob');

    const expiring = (
      await w.as(w.tokens.admin as string, [
        'token',
        'create',
        '--principal',
        'carol',
        '--expires',
        '1h',
      ])
    ).body;
    const db = new Database(path.join(w.home, 'rampart.db'));
    db.prepare("UPDATE api_tokens SET expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").run(
      expiring.id,
    );
    db.close();
    const expired = await w.as(expiring.token as string, ['model', 'list']);
    assert.equal(expired.code, 1);
    assert.match((expired.body.error as { message: string }).message, /expired/);
  });

  it('a disabled principal is locked out at once; the admin principal cannot be disabled', async () => {
    const w = await world();
    assert.equal((await w.as(w.tokens.bob as string, ['model', 'list'])).code, 0);
    const disabled = await w.as(w.tokens.admin as string, ['principal', 'disable', 'bob']);
    assert.equal(disabled.code, 0, disabled.stdout);
    const locked = await w.as(w.tokens.bob as string, ['model', 'list']);
    assert.equal(locked.code, 1);
    assert.match((locked.body.error as { message: string }).message, /bob is disabled/);
    const admin = await w.as(w.tokens.admin as string, ['principal', 'disable', 'admin']);
    assert.equal(admin.code, 2);
    const notAllowed = await w.as(w.tokens.alice as string, ['principal', 'disable', 'carol']);
    assert.equal(code(notAllowed), 'RAMPART_FORBIDDEN');
  });

  it('moving an alias cancels the other open requests for it; a stale one cannot move it back', async () => {
    const w = await world();
    const { alice = '', bob = '', carol = '' } = w.tokens;
    await w.as(alice, ['model', 'register', w.model, '--name', 'm']);
    const other = path.join(w.root, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'w.txt'), 'v2\n');
    await w.as(alice, ['model', 'register', other, '--name', 'm']);
    const stale = (
      await w.as(alice, ['model', 'promote', 'm@1', '--to', 'production', '--evidence', w.evidence])
    ).body.request as string;
    const fresh = (
      await w.as(alice, ['model', 'promote', 'm@2', '--to', 'production', '--evidence', w.evidence])
    ).body.request as string;
    await w.as(bob, ['model', 'approve', fresh]);
    assert.equal((await w.as(carol, ['model', 'approve', fresh])).body.moved, true);
    const late = await w.as(bob, ['model', 'approve', stale]);
    assert.equal(code(late), 'RAMPART_PROMOTION_CLOSED');
    assert.match((late.body.error as { message: string }).message, /superseded/);
  });

  it('refuses an alias policy nobody could satisfy', async () => {
    const w = await world();
    writeFileSync(
      path.join(w.home, 'rampart.yaml'),
      'registry:\n  aliases:\n    production:\n      approvals:\n        admin: 1\n',
    );
    const run = await w.as(w.tokens.alice as string, ['model', 'list']);
    assert.equal(run.code, 2);
    assert.equal(code(run), 'RAMPART_CONFIG_INVALID');
    assert.match((run.body.error as { message: string }).message, /admin, which cannot approve/);
  });

  it('tokens are shown once and stored only as hashes; list never shows them', async () => {
    const w = await world();
    const list = await w.as(w.tokens.admin as string, ['token', 'list']);
    assert.equal(list.code, 0);
    assert.ok(!list.stdout.includes(w.tokens.bob as string));
    const db = new Database(path.join(w.home, 'rampart.db'));
    const rows = db.prepare('SELECT * FROM api_tokens').all();
    db.close();
    assert.ok(!JSON.stringify(rows).includes(w.tokens.bob as string));
  });

  it('only admins add principals; unknown roles and owners are usage errors', async () => {
    const w = await world();
    const refused = await w.as(w.tokens.alice as string, [
      'principal',
      'add',
      'mallory',
      '--role',
      'admin',
    ]);
    assert.equal(refused.code, 1);
    assert.equal(code(refused), 'RAMPART_FORBIDDEN');
    const badRole = await w.as(w.tokens.admin as string, [
      'principal',
      'add',
      'x',
      '--role',
      'root',
    ]);
    assert.equal(badRole.code, 2);
    const noOwner = await w.as(w.tokens.admin as string, [
      'principal',
      'add',
      'svc',
      '--service',
      '--role',
      'deployer',
    ]);
    assert.equal(noOwner.code, 2);
    const review = await w.as(w.tokens.eve as string, ['access', 'review']);
    assert.equal(review.code, 0);
    const alice = (review.body.principals as { principal: string; actions: string[] }[]).find(
      (p) => p.principal === 'alice',
    );
    assert.ok(alice?.actions.includes('model.register'));
    assert.ok(!alice?.actions.includes('principal.add'));
  });

  it('register --run links a verified run, refuses files it did not produce, and the trainer may not approve', async () => {
    const w = await world();
    const { alice = '', admin = '', bob = '' } = w.tokens;
    const out = path.join(w.root, 'trained');
    mkdirSync(out, { recursive: true });
    const weights = path.join(out, 'weights.txt');
    const script = `require('fs').writeFileSync(${JSON.stringify(weights)}, 'w=' + process.env.RAMPART_SEED)`;
    const training = await rampart(
      [
        'train',
        'run',
        '--home',
        w.home,
        '--json',
        '--name',
        'fraud-train',
        '--seed',
        '3',
        '--output',
        weights,
        '--',
        process.execPath,
        '-e',
        script,
      ],
      { RAMPART_TOKEN: alice },
    );
    const trained = { ...training, body: JSON.parse(training.stdout) as Body };
    assert.equal(trained.code, 0, trained.stdout);
    const runId = (trained.body.run as { id: string }).id;

    // The admin registers what alice's run produced; the version names the run.
    const registered = await w.as(admin, [
      'model',
      'register',
      out,
      '--name',
      'trained',
      '--run',
      runId,
    ]);
    assert.equal(registered.code, 0, registered.stdout);
    const bom = await w.as(admin, ['model', 'bom', 'trained@1']);
    const formulation = JSON.stringify(bom.body.formulation);
    assert.ok(formulation.includes(runId));
    assert.ok(formulation.includes('SLSA provenance v1'));
    assert.ok(JSON.stringify(bom.body).includes(`SLSA provenance of training run ${runId}`));

    // A file the run did not produce is refused.
    writeFileSync(path.join(out, 'extra.txt'), 'smuggled');
    const stray = await w.as(admin, [
      'model',
      'register',
      out,
      '--name',
      'trained',
      '--run',
      runId,
    ]);
    assert.equal(stray.code, 1);
    assert.equal(code(stray), 'RAMPART_MODEL_REFUSED');
    assert.match((stray.body.error as { message: string }).message, /extra\.txt.*not an output/);
    // So is a run whose output changed since (it no longer verifies).
    rmSync(path.join(out, 'extra.txt'));
    writeFileSync(weights, 'w=tampered');
    const changed = await w.as(admin, [
      'model',
      'register',
      out,
      '--name',
      'trained',
      '--run',
      runId,
    ]);
    assert.equal(code(changed), 'RAMPART_MODEL_REFUSED');
    assert.match((changed.body.error as { message: string }).message, /does not verify/);
    const unknown = await w.as(admin, [
      'model',
      'register',
      out,
      '--name',
      'trained',
      '--run',
      'nope',
    ]);
    assert.equal(code(unknown), 'RAMPART_TRAIN_RUN_NOT_FOUND');

    // Separation of duties: the trainer cannot review the model her run produced.
    const requested = await w.as(admin, [
      'model',
      'promote',
      'trained@1',
      '--to',
      'production',
      '--evidence',
      w.evidence,
    ]);
    assert.equal(requested.code, 0, requested.stdout);
    const request = requested.body.request as string;
    const byTrainer = await w.as(alice, ['model', 'approve', request]);
    assert.equal(code(byTrainer), 'RAMPART_PROMOTION_REFUSED');
    assert.match((byTrainer.body.error as { message: string }).message, /separation of duties/);
    assert.equal((await w.as(bob, ['model', 'approve', request])).code, 0);
  });
});
