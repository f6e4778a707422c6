import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { assertBuilt, jsonLines, runCli } from '../testing/cli-process.js';
import { removeDir, seededBytes, tempDir } from '../testing/fixtures.js';

describe('tresor-backup forget and prune (built, run as a user would)', () => {
  let dir: string;
  before(async () => {
    assertBuilt();
    dir = await tempDir('tresor-backup-retention-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('dry run lists what would go and why; forget removes snapshots; prune frees what forget promised', async () => {
    const source = join(dir, 'praxis');
    await mkdir(source);
    const env = {
      TRESOR_BACKUP_REPO: join(dir, 'repo'),
      TRESOR_BACKUP_PASSPHRASE: 'retention passphrase',
      TRESOR_BACKUP_PLAN: join(dir, 'plan.json'),
    };
    assert.equal((await runCli(['init', '--kdf-memory', '8', '--kdf-iterations', '1'], env)).code, 0);
    // Over 1 MiB (the smallest size limit), so that a size limit can be unmeetable below.
    await writeFile(join(source, 'stamm.bin'), seededBytes('ret/stamm', 1_200_000));
    for (let i = 0; i < 3; i++) {
      await writeFile(join(source, 'tag.bin'), seededBytes(`ret/${i}`, 50_000));
      assert.equal((await runCli(['backup', source], env)).code, 0);
    }

    const none = await runCli(['forget'], env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no retention rule given/);

    const dry = await runCli(['forget', '--dry-run', '--keep-last', '1', '--json'], env);
    assert.equal(dry.code, 0, dry.stderr);
    const decisions = jsonLines(dry.stdout).filter((line) => line.type === 'decision');
    assert.deepEqual(
      decisions.map((d) => [d.action, d.reasons]),
      [
        ['keep', ['keep-last']],
        ['forget', ['not-kept']],
        ['forget', ['not-kept']],
      ],
    );
    const human = await runCli(['forget', '--dry-run', '--keep-last', '1'], env);
    assert.match(human.stdout, /forget .*not-kept/);
    assert.match(human.stdout, /Dry run: would forget 2 of 3 snapshot\(s\)/);
    // Values that would forget everything, or that only look like small numbers, are usage errors.
    for (const args of [
      ['--keep-last', '0'],
      ['--keep-daily', '0'],
      ['--min-keep', '0', '--keep-last', '1'],
      ['--keep-last', '0x10'],
      ['--keep-last', '1e1'],
      ['--max-size', '0.5'],
      ['--max-size', '500'],
      ['--max-size', '1023K'],
      ['--max-age', '0'],
    ]) {
      const refused = await runCli(['forget', '--prune', ...args], env);
      assert.equal(refused.code, 2, `${args.join(' ')}: ${refused.stdout}${refused.stderr}`);
      assert.match(refused.stderr, /invalid/, args.join(' '));
      assert.doesNotMatch(refused.stdout, /forget/, args.join(' '));
    }
    await writeFile(
      env.TRESOR_BACKUP_PLAN,
      JSON.stringify({ format: 'tresor-backup-plan', version: 1, sources: [], retention: { keepDaily: 0 } }),
    );
    const badPlan = await runCli(['forget', '--prune'], env);
    assert.equal(badPlan.code, 1, badPlan.stdout + badPlan.stderr);
    assert.match(badPlan.stderr, /"keepDaily" must be a whole number ≥ 1/);

    const listed = await runCli(['snapshots', '--json'], env);
    assert.equal(
      (jsonLines(listed.stdout)[0]?.snapshots as unknown[]).length,
      3,
      'a dry run and refused rules change nothing',
    );

    // Rules from the plan file: a size limit nobody can meet, with the newest snapshot protected.
    await writeFile(
      env.TRESOR_BACKUP_PLAN,
      JSON.stringify({
        format: 'tresor-backup-plan',
        version: 1,
        sources: [],
        retention: { maxTotalBytes: 2 ** 20, minKeep: 1 },
      }),
    );
    const forgot = await runCli(['forget', '--json'], env);
    assert.equal(forgot.code, 3, 'the size limit cannot be met: partial');
    const summary = jsonLines(forgot.stdout).find((line) => line.type === 'summary');
    assert.ok(summary);
    assert.equal((summary.forgotten as string[]).length, 2);
    assert.equal(summary.sizeLimitUnmet, true);
    const freed = jsonLines(forgot.stdout)
      .filter((line) => line.type === 'decision' && line.action === 'forget')
      .reduce((sum, line) => sum + (line.freedBytes as number), 0);
    assert.ok(freed > 90_000, `the two older tag.bin versions (random, 50 kB each): ${freed}`);

    const pruned = await runCli(['prune', '--json'], env);
    assert.equal(pruned.code, 0, pruned.stderr);
    const result = jsonLines(pruned.stdout).find((line) => line.type === 'summary');
    assert.equal(result?.bytesRemoved, freed);
    const checked = await runCli(['check', '--read-data'], env);
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
  });
});
