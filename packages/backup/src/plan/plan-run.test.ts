import assert from 'node:assert/strict';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PackReader } from '../engine/pack-reader.js';
import { TreeLoader } from '../engine/tree-loader.js';
import { walkTree } from '../engine/tree-walk.js';
import { isBackupError } from '../errors.js';
import { loadIndex } from '../repository/index-store.js';
import type { Repository } from '../repository/repository.js';
import { newTestRepository, removeDir, tempDir } from '../testing/fixtures.js';
import type { Plan, PlanSource } from './plan-file.js';
import { runHook } from './hook-runner.js';
import { nothingToRun, runPlan } from './plan-run.js';

async function snapshotPaths(repo: Repository, tree: Parameters<TreeLoader['load']>[0]): Promise<string[]> {
  const { index } = await loadIndex(repo);
  const reader = new PackReader(repo);
  const paths: string[] = [];
  try {
    for await (const entry of walkTree(new TreeLoader(repo, index, reader), tree)) paths.push(entry.path);
  } finally {
    await reader.close();
  }
  return paths;
}

function product(id: string, home: string, extra: Partial<NonNullable<PlanSource['manifest']>>): PlanSource {
  return {
    id,
    enabled: true,
    extraPaths: [],
    extraExclude: [],
    manifest: {
      file: `/manifests/${id}.xml`,
      name: id,
      vendor: 'Example',
      version: '1',
      home,
      include: [home],
      exclude: [],
      pre: [],
      post: [],
      hints: [],
      ...extra,
    },
  };
}

describe('running a plan', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('tresor-plan-run-');
  });
  after(async () => {
    await removeDir(dir);
  });

  it('skips the product whose pre-command fails, backs up the others with their excludes, runs every post-command', async () => {
    const pvs = join(dir, 'pvs');
    const xray = join(dir, 'xray');
    const own = join(dir, 'own');
    for (const path of [pvs, xray, own]) await mkdir(path);
    await writeFile(join(pvs, 'config.ini'), 'x=1');
    await writeFile(join(pvs, 'scratch.tmp'), 'temporary');
    await mkdir(join(pvs, 'cache'));
    await writeFile(join(pvs, 'cache', 'c.bin'), 'cached');
    await writeFile(join(xray, 'image.dcm'), 'DICM');
    await writeFile(join(own, 'abrechnung.pdf'), '%PDF');
    await writeFile(join(own, 'notes.tmp'), 'kept: the pvs excludes do not apply here');
    const log = join(dir, 'post.log');
    const plan: Plan = {
      format: 'tresor-backup-plan',
      version: 1,
      sources: [
        product('pvs', pvs, {
          exclude: ['*.tmp', `${pvs}/cache`],
          pre: [
            {
              command: 'echo "dumping $TRESOR_BACKUP_SOURCE" && echo dump > "$PRODUCT_HOME/db.dump"',
              timeoutSeconds: 30,
            },
          ],
          post: [{ command: `echo pvs-post >> ${log}`, timeoutSeconds: 30 }],
        }),
        product('xray', xray, {
          pre: [
            { command: 'echo "service will not stop" >&2; exit 4', timeoutSeconds: 30 },
            { command: `echo never >> ${log}`, timeoutSeconds: 30 },
          ],
          post: [{ command: `echo xray-post >> ${log}`, timeoutSeconds: 30 }],
        }),
        { id: 'own', enabled: true, extraPaths: [own, join(dir, 'does-not-exist')], extraExclude: [] },
        { id: 'off', enabled: false, extraPaths: [join(dir, 'off')], extraExclude: [] },
      ],
    };
    const repo = await newTestRepository(join(dir, 'repo'));
    const lines: string[] = [];
    const result = await runPlan(repo, plan, {
      workers: 1,
      scan: false,
      events: {
        hookLine: (source, phase, stream, line) => lines.push(`${source} ${phase} ${stream}: ${line}`),
      },
    });
    assert.equal(result.status, 'partial');
    assert.deepEqual(
      result.sources.map((s) => [s.id, s.status]),
      [
        ['pvs', 'backed-up'],
        ['xray', 'skipped'],
        ['own', 'backed-up'],
        ['off', 'disabled'],
      ],
    );
    const xrayOutcome = result.sources[1]!;
    assert.deepEqual(
      xrayOutcome.hooks.map((h) => [h.status, h.exitCode]),
      [
        ['failed', 4],
        ['ok', 0],
      ],
      'the second pre-command does not run; the post-command does',
    );
    assert.deepEqual(result.sources[2]!.missingPaths, [join(dir, 'does-not-exist')]);
    assert.ok(lines.includes('pvs pre stdout: dumping pvs'), lines.join('\n'));
    assert.ok(lines.includes('xray pre stderr: service will not stop'), lines.join('\n'));
    assert.equal(await readFile(log, 'utf8'), 'pvs-post\nxray-post\n');

    assert.ok(result.backup);
    const paths = await snapshotPaths(repo, result.backup.snapshot.tree);
    const inside = (root: string) => paths.filter((p) => p.startsWith(`${root}/`)).sort();
    assert.deepEqual(inside(pvs), [join(pvs, 'config.ini'), join(pvs, 'db.dump')]);
    assert.deepEqual(inside(xray), []);
    assert.deepEqual(inside(own), [join(own, 'abrechnung.pdf'), join(own, 'notes.tmp')]);
  });

  it('a command that outlives its timeout is killed with its children and counts as failed', async () => {
    const started = Date.now();
    const outcome = await runHook({ command: 'sleep 30 & sleep 30', timeoutSeconds: 1 }, {}, () => undefined);
    assert.equal(outcome.status, 'timeout');
    assert.ok(Date.now() - started < 10_000);
  });

  it('refuses a plan with no entry, or no enabled entry, as an invalid plan (exit code 1), running nothing', async () => {
    const repo = await newTestRepository(join(dir, 'repo-empty'));
    const log = join(dir, 'empty.log');
    const disabled: PlanSource = {
      ...product('off', join(dir, 'off'), { pre: [{ command: `echo pre >> ${log}`, timeoutSeconds: 30 }] }),
      enabled: false,
    };
    for (const [sources, message] of [
      [[], /^the plan's "sources" is empty: nothing to back up/],
      [[disabled], /^the plan's "sources" has no enabled entry/],
    ] as const) {
      const plan: Plan = { format: 'tresor-backup-plan', version: 1, sources };
      assert.equal(nothingToRun(plan) !== undefined, true);
      await assert.rejects(runPlan(repo, plan, { workers: 1, scan: false }), (error: unknown) => {
        assert.ok(isBackupError(error, 'plan.invalid'), String(error));
        assert.match(error.message, message);
        return true;
      });
    }
    await assert.rejects(access(log), 'no command ran');
    assert.equal(
      nothingToRun({ format: 'tresor-backup-plan', version: 1, sources: [product('on', dir, {})] }),
      undefined,
    );
  });

  it('runs the post-commands and reports the path when a planned path cannot be checked (ENOTDIR)', async () => {
    const home = join(dir, 'enotdir');
    await mkdir(home);
    await writeFile(join(home, 'plain-file'), 'not a directory');
    const log = join(dir, 'enotdir.log');
    const blocked = join(home, 'plain-file', 'data');
    const plan: Plan = {
      format: 'tresor-backup-plan',
      version: 1,
      sources: [
        product('svc', home, {
          include: [blocked],
          pre: [{ command: `echo stop >> ${log}`, timeoutSeconds: 30 }],
          post: [{ command: `echo start >> ${log}`, timeoutSeconds: 30 }],
        }),
      ],
    };
    const repo = await newTestRepository(join(dir, 'repo-enotdir'));
    const result = await runPlan(repo, plan, { workers: 1, scan: false });
    assert.equal(await readFile(log, 'utf8'), 'stop\nstart\n', 'the service is started again');
    assert.equal(result.status, 'partial');
    assert.equal(result.backup, undefined);
    const [svc] = result.sources;
    assert.equal(svc!.status, 'nothing-found');
    assert.deepEqual(svc!.missingPaths, []);
    assert.deepEqual(svc!.unusablePaths, [
      { path: blocked, message: 'a part of the path is not a directory (ENOTDIR)' },
    ]);
  });

  it('gives commands MANIFEST_DIR and PRODUCT_HOME as variables, never re-parsing their value', async () => {
    const manifestDir = join(dir, 'm dir $(touch pwned)');
    const home = join(manifestDir, 'home');
    await mkdir(home, { recursive: true });
    const out = join(dir, 'vars.out');
    const source = product('odd', home, {
      file: join(manifestDir, 'odd.xml'),
      pre: [
        {
          command: `cd "${dir}" && printf '%s\\n' "\${MANIFEST_DIR}" "\${PRODUCT_HOME}" > vars.out`,
          timeoutSeconds: 30,
        },
      ],
    });
    const repo = await newTestRepository(join(dir, 'repo-vars'));
    const result = await runPlan(
      repo,
      { format: 'tresor-backup-plan', version: 1, sources: [source] },
      {
        workers: 1,
        scan: false,
      },
    );
    assert.equal(result.sources[0]!.hooks[0]!.status, 'ok');
    assert.equal(await readFile(out, 'utf8'), `${manifestDir}\n${home}\n`);
    await assert.rejects(access(join(dir, 'pwned')));
  });

  it('keeps the passphrase and token variables from the commands', async () => {
    const secrets = {
      TRESOR_BACKUP_PASSPHRASE: 'secret passphrase',
      TRESOR_BACKUP_NEW_PASSPHRASE: 'new secret',
      TRESOR_BACKUP_CLOUD_TOKEN: 'tbk_secret',
    };
    const saved = [...Object.keys(secrets), 'TRESOR_BACKUP_REPO'].map(
      (name) => [name, process.env[name]] as const,
    );
    Object.assign(process.env, secrets, { TRESOR_BACKUP_REPO: '/not/secret' });
    const lines: string[] = [];
    try {
      const outcome = await runHook(
        { command: 'env', timeoutSeconds: 30 },
        { PRODUCT_HOME: '/opt/x' },
        (_s, line) => lines.push(line),
      );
      assert.equal(outcome.status, 'ok');
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) Reflect.deleteProperty(process.env, name);
        else process.env[name] = value;
      }
    }
    const seen = lines.filter(
      (line) => line.startsWith('TRESOR_BACKUP_') || line.startsWith('PRODUCT_HOME='),
    );
    assert.deepEqual(seen.sort(), ['PRODUCT_HOME=/opt/x', 'TRESOR_BACKUP_REPO=/not/secret']);
    assert.ok(!lines.some((line) => line.includes('secret passphrase') || line.includes('tbk_secret')));
  });
});
