import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import {
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  symlink,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AccountSession } from '@tresor/sdk';
import { MembersFixture } from '../../testing/members-fixture.js';
import {
  BACKUP_CLI,
  FAST_KDF,
  backupCli as cli,
  backupCredential,
  cloudObjects as listCloudObjects,
  describeTree,
  summaryOf,
} from '../../testing/backup-cli.js';

const PASSPHRASE = 'Praxis am Markt – Sicherung';
const EXAMPLES = fileURLToPath(new URL('../../../../backup/manifests/examples/', import.meta.url));

describe('backup agent ↔ cloud: replicate, smart restore, cloud retention (real CLI, real server)', () => {
  let f: MembersFixture;
  let primary: AccountSession;
  let dir: string;
  let source: string;
  let env: Record<string, string>;
  let agentToken = '';
  let retentionToken = '';

  const credential = (kind: 'agent' | 'retention', session = primary) =>
    backupCredential(f.server.url, session.token, kind);
  const withToken = (token: string) => ({ ...env, TRESOR_BACKUP_CLOUD_TOKEN: token });
  /**
   * A practice of its own with both tokens, a folder `name` holding befund.txt, and a local
   * repository (agent token configured) whose first snapshot is replicated.
   */
  const replicatedPractice = async (name: string, befund: string) => {
    const practice = await f.found(`Praxis ${name}`, `${name}.primary`);
    const agent = await credential('agent', practice);
    const retention = await credential('retention', practice);
    const data = join(dir, name);
    await mkdir(data);
    await writeFile(join(data, 'befund.txt'), befund);
    const practiceEnv = {
      ...env,
      TRESOR_BACKUP_REPO: join(dir, `repo-${name}`),
      TRESOR_BACKUP_CACHE: join(dir, `cache-${name}`),
      TRESOR_BACKUP_CLOUD_TOKEN: agent,
    };
    for (const args of [['init', ...FAST_KDF], ['backup', data], ['replicate']]) {
      const out = await cli(args, practiceEnv);
      assert.equal(out.code, 0, out.stderr);
    }
    return { agent, retention, data, env: practiceEnv };
  };
  const restored = (name: string) => join(dir, name, source.slice(1));

  before(async () => {
    // Lock period 0 days, so cloud retention can be shown here; the lock itself is tested in
    // backup-repo.int.test.ts.
    f = await MembersFixture.start({ TRESOR_BACKUP_LOCK_DAYS: '0' });
    primary = await f.found('Praxis am Markt', 'm.primary');
    agentToken = await credential('agent');
    retentionToken = await credential('retention');
    dir = await mkdtemp(join(tmpdir(), 'tresor-backup-agent-'));
    source = join(dir, 'praxis');
    await mkdir(join(source, 'db'), { recursive: true });
    await mkdir(join(source, 'briefe', '2026'), { recursive: true });
    await writeFile(join(source, 'db', 'patients.fdb'), randomBytes(3 * 1024 * 1024));
    for (let i = 0; i < 30; i++) {
      await writeFile(
        join(source, 'briefe', '2026', `brief-${i}.xml`),
        `<brief nr="${i}">${'Befund '.repeat(200 + i)}</brief>`,
      );
    }
    await writeFile(join(source, 'start.sh'), '#!/bin/sh\necho praxis\n');
    await chmod(join(source, 'start.sh'), 0o750);
    await symlink('briefe/2026', join(source, 'aktuell'));
    await utimes(
      join(source, 'briefe', '2026', 'brief-1.xml'),
      new Date('2025-03-01T08:00:00Z'),
      new Date('2025-03-01T08:00:00Z'),
    );
    env = {
      TRESOR_BACKUP_REPO: join(dir, 'repo'),
      TRESOR_BACKUP_PASSPHRASE: PASSPHRASE,
      TRESOR_BACKUP_CLOUD_URL: f.server.url,
      TRESOR_BACKUP_CACHE: join(dir, 'cache'),
      TRESOR_BACKUP_PLAN: join(dir, 'plan.json'),
    };
  });
  after(async () => {
    await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('init → plan from manifests → run → change → run → restore → replicate (only what is missing, verified)', async () => {
    const noCloud = { ...env, TRESOR_BACKUP_CLOUD_URL: '' };
    assert.equal((await cli(['init', ...FAST_KDF], noCloud)).code, 0);
    // The practice software describes its data in a manifest; the shipped examples are read too.
    const manifests = join(dir, 'manifests');
    await mkdir(manifests);
    await writeFile(
      join(manifests, 'praxis.xml'),
      `<?xml version="1.0" encoding="UTF-8"?>
<backup-manifest version="1">
  <product id="praxis-am-markt"><name>Praxissoftware</name><vendor>Praxis am Markt</vendor><version>1.0</version><home>${source}</home></product>
  <include path="\${PRODUCT_HOME}"/>
</backup-manifest>
`,
    );
    const planned = await cli(['plan', '--json'], {
      ...noCloud,
      TRESOR_BACKUP_MANIFESTS: `${manifests}:${EXAMPLES}`,
    });
    assert.equal(planned.code, 0, planned.stdout + planned.stderr);
    assert.deepEqual(summaryOf(planned).added, [
      'praxis-am-markt',
      'dokuscan-eingang',
      'praxisvita-pvs',
      'radiview-archiv',
    ]);
    // The example products are not installed on this machine: the user switches them off.
    const plan = JSON.parse(await readFile(env.TRESOR_BACKUP_PLAN!, 'utf8')) as {
      sources: { id: string; enabled: boolean }[];
    };
    for (const planned of plan.sources) planned.enabled = planned.id === 'praxis-am-markt';
    await writeFile(env.TRESOR_BACKUP_PLAN!, JSON.stringify(plan, null, 2));

    const firstRun = await cli(['run'], noCloud);
    assert.equal(firstRun.code, 0, firstRun.stdout + firstRun.stderr);
    await writeFile(join(source, 'briefe', '2026', 'brief-2.xml'), '<brief>geändert</brief>');
    await writeFile(join(source, 'briefe', '2026', 'brief-neu.xml'), '<brief>neu</brief>');
    const secondRun = await cli(['run', '--json'], noCloud);
    assert.equal(secondRun.code, 0, secondRun.stderr);
    const local = await cli(['restore', 'latest', '--target', join(dir, 'r-first')], noCloud);
    assert.equal(local.code, 0, local.stderr);
    assert.deepEqual(await describeTree(restored('r-first')), await describeTree(source));

    const first = await cli(['replicate', '--json'], withToken(agentToken));
    assert.equal(first.code, 0, first.stderr);
    const summary = summaryOf(first);
    assert.equal(summary.status, 'complete');
    assert.ok((summary.uploadedObjects as number) >= 6, 'packs, index files, key slot, config, 2 snapshots');

    // Nothing new: nothing is sent.
    const again = summaryOf(await cli(['replicate', '--json'], withToken(agentToken)));
    assert.equal(again.uploadedObjects, 0);
    assert.equal(again.status, 'complete');

    const checked = await cli(['check', '--cloud-copy', '--read-data', '--json'], withToken(agentToken));
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    assert.equal(summaryOf(checked).status, 'ok');
    assert.ok((summaryOf(checked).blobsRead as number) > 30, 'every blob was read from the cloud copy');

    const wrong = await cli(['replicate'], withToken('tbk_not-a-token'));
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /does not accept the backup token/);
    assert.doesNotMatch(wrong.stderr, /tbk_/, 'the token is never printed');
  });

  it('smart restore takes a pack the local repository lost from the cloud', async () => {
    const dataDir = join(env.TRESOR_BACKUP_REPO!, 'data');
    const prefix = (await readdir(dataDir)).find((name) => /^[0-9a-f]{2}$/.test(name))!;
    const pack = (await readdir(join(dataDir, prefix)))[0]!;
    const saved = await readFile(join(dataDir, prefix, pack));
    await unlink(join(dataDir, prefix, pack));
    await rm(env.TRESOR_BACKUP_CACHE!, { recursive: true, force: true }); // filled by the cloud check
    try {
      const withoutCloud = await cli(['restore', 'latest', '--target', join(dir, 'r-local')], {
        ...env,
        TRESOR_BACKUP_CLOUD_URL: '',
      });
      assert.equal(withoutCloud.code, 3, 'locally alone the restore is partial');

      const out = await cli(
        ['restore', 'latest', '--json', '--target', join(dir, 'r-mixed')],
        withToken(agentToken),
      );
      assert.equal(out.code, 0, out.stderr);
      const summary = summaryOf(out);
      assert.equal(summary.source, 'local');
      assert.equal(summary.packsFetched, 1);
      assert.deepEqual(await describeTree(restored('r-mixed')), await describeTree(source));
    } finally {
      await writeFile(join(dataDir, prefix, pack), saved);
    }
  });

  it('local retention forgets and prunes locally; the cloud copy keeps its snapshots', async () => {
    const noCloud = { ...env, TRESOR_BACKUP_CLOUD_URL: '' };
    const forgotten = await cli(['forget', '--keep-last', '1', '--prune', '--json'], noCloud);
    assert.equal(forgotten.code, 0, forgotten.stderr);
    const listed = await cli(['snapshots', '--json'], noCloud);
    const snapshots = listed.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; snapshots?: unknown[] })
      .find((line) => line.type === 'snapshots')?.snapshots;
    assert.equal(snapshots?.length, 1, listed.stdout);
    assert.equal((await cli(['check'], noCloud)).code, 0);
    assert.equal((await cloudObjects(agentToken)).filter((o) => o.kind === 'snapshots').length, 2);
  });

  it('restores from the cloud alone after the local repository is lost, byte-identical', async () => {
    await rm(env.TRESOR_BACKUP_REPO!, { recursive: true });
    await rm(env.TRESOR_BACKUP_CACHE!, { recursive: true, force: true });
    const wrongPassphrase = await cli(['restore', 'latest', '--target', join(dir, 'r-x')], {
      ...withToken(agentToken),
      TRESOR_BACKUP_PASSPHRASE: 'falsch',
    });
    assert.equal(wrongPassphrase.code, 1);
    assert.match(wrongPassphrase.stderr, /wrong passphrase/);

    const out = await cli(
      ['restore', 'latest', '--json', '--target', join(dir, 'r-cloud')],
      withToken(agentToken),
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal(summaryOf(out).source, 'cloud');
    assert.deepEqual(await describeTree(restored('r-cloud')), await describeTree(source));
  });

  it('cloud retention: an agent token cannot forget; the retention token forgets and prunes', async () => {
    const refused = await cli(['forget', '--cloud-copy', '--keep-last', '1'], withToken(agentToken));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /retention/);

    const listBefore = await cloudObjects(agentToken);
    const out = await cli(
      ['forget', '--cloud-copy', '--keep-last', '1', '--prune', '--json'],
      withToken(retentionToken),
    );
    assert.equal(out.code, 0, out.stderr);
    const summaries = out.stdout
      .split('\n')
      .filter((line) => line.includes('"summary"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal((summaries[0]?.forgotten as string[]).length, 1);
    const listAfter = await cloudObjects(agentToken);
    assert.equal(listAfter.filter((o) => o.kind === 'snapshots').length, 1);
    assert.ok(listAfter.length < listBefore.length || summaries[1]?.packsDeleted === 0);

    const out2 = await cli(['restore', 'latest', '--target', join(dir, 'r-after')], withToken(agentToken));
    assert.equal(out2.code, 0, out2.stderr);
    assert.deepEqual(await describeTree(restored('r-after')), await describeTree(source));
  });

  it('a replicate killed at random points resumes, and the cloud copy restores byte-identical', async () => {
    const big = join(dir, 'gross');
    await mkdir(big);
    for (let i = 0; i < 4; i++) await writeFile(join(big, `scan-${i}.tif`), randomBytes(12 * 1024 * 1024));
    const repoEnv = {
      ...withToken(agentToken),
      TRESOR_BACKUP_REPO: join(dir, 'repo2'),
      TRESOR_BACKUP_CACHE: join(dir, 'cache2'),
    };
    const cloudless = { ...repoEnv, TRESOR_BACKUP_CLOUD_URL: '' };
    // Another practice: one practice has one cloud repository.
    const other = await f.found('Praxis Kill', 'k.primary');
    const token = await credential('agent', other);
    const killEnv = { ...repoEnv, TRESOR_BACKUP_CLOUD_TOKEN: token };
    assert.equal((await cli(['init', ...FAST_KDF], cloudless)).code, 0);
    assert.equal((await cli(['backup', big], cloudless)).code, 0);

    // Killed (SIGKILL) as soon as the cloud shows 1, 2, then 3 more objects than before: three
    // different points in the middle of an upload run.
    let stored = 0;
    let killedMidway = 0;
    for (const more of [1, 2, 3]) {
      const child = spawn(process.execPath, [BACKUP_CLI, 'replicate'], {
        env: { PATH: process.env.PATH ?? '', ...killEnv },
        stdio: 'ignore',
      });
      const exited = once(child, 'exit');
      const state = { running: true };
      void exited.then(() => (state.running = false));
      while (state.running) {
        const now = (await cloudObjects(token)).length;
        if (now >= stored + more) {
          child.kill('SIGKILL');
          killedMidway++;
          break;
        }
        await new Promise((done) => setTimeout(done, 10));
      }
      await exited;
      stored = (await cloudObjects(token)).length;
    }
    assert.ok(killedMidway > 0, 'at least one replicate was killed in the middle of its uploads');
    const finished = await cli(['replicate', '--json'], killEnv);
    assert.equal(finished.code, 0, finished.stderr);
    assert.equal(summaryOf(finished).status, 'complete');
    assert.ok((summaryOf(finished).alreadyThere as number) > 0, 'the killed runs were resumed, not repeated');

    // The practice restores on a new machine: no local repository.
    const fresh = {
      ...killEnv,
      TRESOR_BACKUP_REPO: join(dir, 'nicht-da'),
      TRESOR_BACKUP_CACHE: join(dir, 'cache3'),
    };
    const out = await cli(['restore', 'latest', '--target', join(dir, 'r-kill')], fresh);
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(await describeTree(join(dir, 'r-kill', big.slice(1))), await describeTree(big));
    // And the other practice's cloud copy is untouched by this one.
    assert.equal((await cloudObjects(agentToken)).filter((o) => o.kind === 'snapshots').length, 1);
  });

  it('a changed passphrase: the old key slot leaves the cloud copy only through the retention token', async () => {
    const { retention, data, env: keyEnv } = await replicatedPractice('schluessel', 'Befund vom 3. Dezember');
    const slotsOf = async (environment: Record<string, string>) => {
      const out = await cli(['key', 'list', '--cloud-copy', '--json'], environment);
      assert.equal(out.code, 0, out.stderr);
      const line = out.stdout.split('\n').find((l) => l.includes('"keys"'));
      return (JSON.parse(line!) as { keys: { id: string; current: boolean }[] }).keys;
    };
    const [oldSlot] = await slotsOf(keyEnv);
    assert.ok(oldSlot);

    const passwd = await cli(['key', 'passwd', ...FAST_KDF], {
      ...keyEnv,
      TRESOR_BACKUP_NEW_PASSPHRASE: 'Neue Passphrase der Praxis 2026',
    });
    assert.equal(passwd.code, 0, passwd.stderr);
    assert.match(passwd.stdout, new RegExp(`key remove ${oldSlot.id} --cloud-copy`));
    const newEnv = { ...keyEnv, TRESOR_BACKUP_PASSPHRASE: 'Neue Passphrase der Praxis 2026' };
    assert.equal((await cli(['replicate'], newEnv)).code, 0);
    const both = await slotsOf(newEnv);
    assert.equal(both.length, 2);
    const current = both.find((slot) => slot.current)!;

    // The old passphrase still opens the cloud copy (a new machine: no local repository).
    const newMachine = (passphrase: string, name: string) => ({
      ...keyEnv,
      TRESOR_BACKUP_PASSPHRASE: passphrase,
      TRESOR_BACKUP_REPO: join(dir, 'kein-repo'),
      TRESOR_BACKUP_CACHE: join(dir, `cache-${name}`),
    });
    const restoreWith = (passphrase: string, name: string) =>
      cli(['restore', 'latest', '--target', join(dir, name)], newMachine(passphrase, name));
    assert.equal((await restoreWith(PASSPHRASE, 'r-alt-1')).code, 0);

    const byAgent = await cli(['key', 'remove', oldSlot.id, '--cloud-copy'], newEnv);
    assert.equal(byAgent.code, 1);
    assert.match(byAgent.stderr, /retention/);
    const withRetention = { ...newEnv, TRESOR_BACKUP_CLOUD_TOKEN: retention };
    const inUse = await cli(['key', 'remove', current.id, '--cloud-copy'], withRetention);
    assert.equal(inUse.code, 2); // a usage error
    assert.match(inUse.stderr, /opened the repository with/);
    const removed = await cli(['key', 'remove', oldSlot.id, '--cloud-copy'], withRetention);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(
      (await slotsOf(newEnv)).map((slot) => slot.id),
      [current.id],
    );

    const oldPassphrase = await restoreWith(PASSPHRASE, 'r-alt-2');
    assert.equal(oldPassphrase.code, 1);
    assert.match(oldPassphrase.stderr, /wrong passphrase/);
    const newPassphrase = await restoreWith('Neue Passphrase der Praxis 2026', 'r-neu');
    assert.equal(newPassphrase.code, 0, newPassphrase.stderr);
    assert.equal(
      await readFile(join(dir, 'r-neu', data.slice(1), 'befund.txt'), 'utf8'),
      'Befund vom 3. Dezember',
    );
  });

  it('while a cloud retention run holds the lock, replicate and a second run are refused and nothing is half-stored', async () => {
    const { agent, retention, data, env: lockEnv } = await replicatedPractice('sperre', 'erster Befund');

    // Another retention run (here: taken through the API) holds the practice's cloud copy.
    const taken = await fetch(`${f.server.url}/api/v1/backup/retention-lock`, {
      method: 'POST',
      headers: { authorization: `Bearer ${retention}` },
    });
    assert.equal(taken.status, 201);
    const { id } = (await taken.json()) as { id: string };

    await writeFile(join(data, 'befund.txt'), 'zweiter Befund');
    assert.equal((await cli(['backup', data], lockEnv)).code, 0);
    const refused = await cli(['replicate'], lockEnv);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /retention run holds/);
    const second = await cli(['forget', '--cloud-copy', '--keep-last', '1'], {
      ...lockEnv,
      TRESOR_BACKUP_CLOUD_TOKEN: retention,
    });
    assert.equal(second.code, 1);
    assert.match(second.stderr, /another cloud retention run/);
    const snapshots = (await cloudObjects(agent)).filter((o) => o.kind === 'snapshots');
    assert.equal(snapshots.length, 1, 'the second snapshot did not reach the cloud');

    const released = await fetch(`${f.server.url}/api/v1/backup/retention-lock/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${retention}` },
    });
    assert.equal(released.status, 200);
    const resumed = await cli(['replicate'], lockEnv);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal((await cloudObjects(agent)).filter((o) => o.kind === 'snapshots').length, 2);
    const forgot = await cli(['forget', '--cloud-copy', '--keep-last', '1', '--prune'], {
      ...lockEnv,
      TRESOR_BACKUP_CLOUD_TOKEN: retention,
    });
    assert.equal(forgot.code, 0, forgot.stderr);
    const fromCloud = await cli(['restore', 'latest', '--target', join(dir, 'r-sperre')], {
      ...lockEnv,
      TRESOR_BACKUP_REPO: join(dir, 'kein-repo-sperre'),
      TRESOR_BACKUP_CACHE: join(dir, 'cache-sperre-neu'),
    });
    assert.equal(fromCloud.code, 0, fromCloud.stderr);
    assert.equal(
      await readFile(join(dir, 'r-sperre', data.slice(1), 'befund.txt'), 'utf8'),
      'zweiter Befund',
    );
  });

  it('an index file that rotted in the server’s blob store: check names it, the rest restores, replicate names its packs again', async () => {
    const practice = await replicatedPractice('rost', 'Befund vom Januar');
    const firstIndex = (await cloudObjects(practice.agent)).find((o) => o.kind === 'index')!.name;
    const firstSnapshot = (await cloudObjects(practice.agent)).find((o) => o.kind === 'snapshots')!.name;
    await writeFile(join(practice.data, 'nachtrag.txt'), 'Nachtrag vom Februar');
    for (const args of [['backup', practice.data], ['replicate']]) {
      assert.equal((await cli(args, practice.env)).code, 0);
    }
    const secondIndex = (await cloudObjects(practice.agent)).find(
      (o) => o.kind === 'index' && o.name !== firstIndex,
    )!.name;
    // One byte of the stored object flips on the server's disk; the server still lists its hash.
    await rotStored('index', secondIndex);

    // The agent's cache holds a sound copy; the check fetches the metadata again and names it.
    const checked = await cli(['check', '--cloud-copy', '--json'], practice.env);
    assert.equal(checked.code, 3, checked.stdout + checked.stderr);
    assert.match(checked.stdout + checked.stderr, new RegExp(`index/${secondIndex} is damaged in the cloud`));

    // Another machine: the first snapshot restores from the cloud; the second needs the damaged file.
    const machine = (name: string) => ({
      ...practice.env,
      TRESOR_BACKUP_REPO: join(dir, 'rost-nowhere'),
      TRESOR_BACKUP_CACHE: join(dir, `rost-cache-${name}`),
    });
    const first = await cli(
      ['restore', firstSnapshot.slice(0, 8), '--target', join(dir, 'rost-1')],
      machine('a'),
    );
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`index/${secondIndex}`), 'a warning names the damaged file');
    assert.equal(
      await readFile(join(dir, 'rost-1', practice.data.slice(1), 'befund.txt'), 'utf8'),
      'Befund vom Januar',
    );
    const latest = await cli(['restore', 'latest', '--target', join(dir, 'rost-2')], machine('b'));
    assert.notEqual(latest.code, 0, 'the latest snapshot cannot be restored from the cloud alone');

    // The practice's next backup and replicate, with an emptied cache: the packs are named again.
    await rm(practice.env.TRESOR_BACKUP_CACHE, { recursive: true, force: true });
    await writeFile(join(practice.data, 'nachtrag-2.txt'), 'Nachtrag vom März');
    for (const args of [['backup', practice.data], ['replicate']]) {
      const out = await cli(args, practice.env);
      assert.equal(out.code, 0, out.stderr);
    }
    const healed = await cli(['restore', 'latest', '--target', join(dir, 'rost-3')], machine('c'));
    assert.equal(healed.code, 0, healed.stderr);
    assert.deepEqual(
      await describeTree(join(dir, 'rost-3', practice.data.slice(1))),
      await describeTree(practice.data),
    );
  });

  it('replicate --repair stores again what rotted in the server’s blob store; then check passes and cloud retention runs', async () => {
    const practice = await replicatedPractice('heil', 'Befund vom April');
    await writeFile(join(practice.data, 'nachtrag.txt'), 'Nachtrag vom Mai');
    for (const args of [['backup', practice.data], ['replicate']]) {
      assert.equal((await cli(args, practice.env)).code, 0);
    }
    const objects = await cloudObjects(practice.agent);
    const index = objects.find((o) => o.kind === 'index')!.name;
    const snapshot = objects.filter((o) => o.kind === 'snapshots').at(-1)!.name;
    const pack = objects.find((o) => o.kind === 'data')!.name;
    // One byte of each stored object flips on the server's disk; the server still lists its hash.
    await rotStored('index', index);
    await rotStored('snapshots', snapshot);
    await rotStored('data', pack);
    const damaged = await cli(['check', '--cloud-copy'], practice.env);
    assert.equal(damaged.code, 3, damaged.stdout + damaged.stderr);
    // The server's own integrity scrub finds all three; the agent hears of them at its next run.
    const scrub = await f.server.app.blobScrubber.runOnce();
    assert.ok(scrub.damaged >= 3, JSON.stringify(scrub));
    const told = await cli(['replicate'], practice.env);
    assert.match(told.stderr, /integrity check found 3 damaged file\(s\).*replicate --repair/);
    // Retention on a machine whose cache holds no sound copy: it refuses to judge what the
    // damaged files describe.
    const blocked = await cli(['forget', '--cloud-copy', '--keep-last', '1', '--prune'], {
      ...practice.env,
      TRESOR_BACKUP_CACHE: join(dir, 'heil-cache-retention'),
      TRESOR_BACKUP_CLOUD_TOKEN: practice.retention,
    });
    assert.equal(blocked.code, 1, 'retention refuses a cloud copy with damaged files');
    assert.match(blocked.stderr, /damaged/);

    // The index file comes from the agent's cache, the snapshot and the pack (listed as damaged
    // by the scrub, so without --read-data) from the local repository; the agent token suffices,
    // as it stores exactly the bytes that were stored.
    const repaired = await cli(['replicate', '--repair', '--json'], practice.env);
    assert.equal(repaired.code, 0, repaired.stdout + repaired.stderr);
    const summary = repaired.stdout
      .split('\n')
      .filter((line) => line.includes('"summary"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((event) => event.command === 'repair')!;
    assert.deepEqual(
      [...(summary.repaired as string[])].sort(),
      [`index/${index}`, `snapshots/${snapshot}`, `data/${pack}`].sort(),
    );
    assert.deepEqual(summary.unrepaired, []);
    assert.deepEqual(
      (await cloudObjects(practice.agent)).filter((o) => o.damaged),
      [],
      'the scrub flags went with the repair',
    );

    const checked = await cli(['check', '--cloud-copy'], practice.env);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const elsewhere = {
      ...practice.env,
      TRESOR_BACKUP_REPO: join(dir, 'heil-nowhere'),
      TRESOR_BACKUP_CACHE: join(dir, 'heil-cache-b'),
    };
    const restoredLatest = await cli(['restore', 'latest', '--target', join(dir, 'heil-r')], elsewhere);
    assert.equal(restoredLatest.code, 0, restoredLatest.stderr);
    assert.deepEqual(
      await describeTree(join(dir, 'heil-r', practice.data.slice(1))),
      await describeTree(practice.data),
    );
    const retention = await cli(['forget', '--cloud-copy', '--keep-last', '1', '--prune'], {
      ...practice.env,
      TRESOR_BACKUP_CACHE: join(dir, 'heil-cache-retention'),
      TRESOR_BACKUP_CLOUD_TOKEN: practice.retention,
    });
    assert.equal(retention.code, 0, retention.stderr);
    assert.equal((await cloudObjects(practice.agent)).filter((o) => o.kind === 'snapshots').length, 1);
  });

  it('prune --cloud-copy --remove-damaged deletes a rotted snapshot nothing here can replace (retention token only), then retention runs', async () => {
    const practice = await replicatedPractice('verlust', 'Befund vom Juni');
    const snapshots = async () =>
      (await cloudObjects(practice.agent)).filter((o) => o.kind === 'snapshots').map((o) => o.name);
    const [older] = (await snapshots()) as [string];
    await writeFile(join(practice.data, 'nachtrag.txt'), 'Nachtrag vom Juli');
    for (const args of [['backup', practice.data], ['replicate']]) {
      assert.equal((await cli(args, practice.env)).code, 0);
    }
    const newer = (await snapshots()).find((name) => name !== older)!;
    // Local retention forgot the older snapshot (the cloud keeps it), the cache is gone, and then
    // the older snapshot rots on the server's disk: no sound copy of it is left anywhere.
    assert.equal((await cli(['forget', '--keep-last', '1', '--prune'], practice.env)).code, 0);
    await rm(practice.env.TRESOR_BACKUP_CACHE, { recursive: true, force: true });
    await rotStored('snapshots', older);

    const repair = await cli(['replicate', '--repair'], practice.env);
    assert.equal(repair.code, 3, 'nothing here can repair it');
    assert.match(
      repair.stderr,
      new RegExp(`snapshots/${older} is damaged in the cloud and was not repaired`),
    );
    const retentionEnv = { ...practice.env, TRESOR_BACKUP_CLOUD_TOKEN: practice.retention };
    const blocked = await cli(['forget', '--cloud-copy', '--keep-last', '1', '--prune'], retentionEnv);
    assert.equal(blocked.code, 1, 'retention refuses while it is there');

    const asAgent = await cli(['prune', '--cloud-copy', '--remove-damaged'], practice.env);
    assert.equal(asAgent.code, 1, 'the agent token cannot delete');
    assert.ok((await cloudObjects(practice.agent)).some((o) => o.name === older));
    const dry = await cli(['prune', '--cloud-copy', '--remove-damaged', '--dry-run'], retentionEnv);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, new RegExp(`snapshots/${older} was damaged in the cloud .*would be deleted`));
    assert.ok(
      (await cloudObjects(practice.agent)).some((o) => o.name === older),
      'a dry run deletes nothing',
    );

    const removed = await cli(['prune', '--cloud-copy', '--remove-damaged'], retentionEnv);
    assert.equal(removed.code, 0, removed.stdout + removed.stderr);
    assert.match(removed.stderr, new RegExp(`snapshots/${older} was damaged in the cloud .*deleted`));
    const left = (await cloudObjects(practice.agent))
      .filter((o) => o.kind === 'snapshots')
      .map((o) => o.name);
    assert.deepEqual(left, [newer]);
    const checked = await cli(['check', '--cloud-copy'], practice.env);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    const retention = await cli(['forget', '--cloud-copy', '--keep-last', '1', '--prune'], retentionEnv);
    assert.equal(retention.code, 0, retention.stderr);
    const restoredLatest = await cli(['restore', 'latest', '--target', join(dir, 'verlust-r')], {
      ...practice.env,
      TRESOR_BACKUP_REPO: join(dir, 'verlust-nowhere'),
      TRESOR_BACKUP_CACHE: join(dir, 'verlust-cache-b'),
    });
    assert.equal(restoredLatest.code, 0, restoredLatest.stderr);
    assert.deepEqual(
      await describeTree(join(dir, 'verlust-r', practice.data.slice(1))),
      await describeTree(practice.data),
    );
  });

  /** Flips one byte of a stored object's blob on the server's disk, as a failing disk would. */
  const rotStored = async (kind: 'index' | 'snapshots' | 'data', name: string) => {
    const { blob_key: blobKey } = await f.asOwner((trx) =>
      trx
        .selectFrom('backup_objects')
        .select('blob_key')
        .where('kind', '=', kind)
        .where('name', '=', name)
        .executeTakeFirstOrThrow(),
    );
    const blobPath = join(f.server.storage.dataDir, 'blobs', 'sha256', blobKey.slice(0, 2), blobKey);
    const bytes = await readFile(blobPath);
    bytes[40]! ^= 0xff;
    await writeFile(blobPath, bytes);
  };
  const cloudObjects = (token: string) => listCloudObjects(f.server.url, token);
});
