import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({ PATH: '/usr/bin', HOME: '/root' });
    assert.equal(config.dataDir, resolve('./data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8080);
    assert.equal(config.tls, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.diagnostics, false);
    assert.deepEqual(config.trustedProxies, []);
    assert.equal(config.publicUrl, 'http://localhost:8080');
    assert.equal(config.backupLockDays, 30);
    assert.equal(config.scrubMibPerSecond, 50);
    assert.equal(config.backupQuotaBytes, 100 * 1024 ** 3);
    assert.ok(Object.isFrozen(config));
  });

  it('reads every setting', () => {
    const config = loadConfig({
      TRESOR_DATA_DIR: '/tmp/x',
      DATABASE_URL: 'postgres://u:secret@localhost:5432/tresor',
      HOST: '0.0.0.0',
      PORT: '9000',
      LOG_LEVEL: 'DEBUG',
      TRESOR_DIAGNOSTICS: 'true',
      TRESOR_RATE_LIMIT: '50',
      TRESOR_TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1',
    });
    assert.equal(config.dataDir, '/tmp/x');
    assert.equal(config.port, 9000);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.diagnostics, true);
    assert.equal(config.rateLimitPerMinute, 50);
    assert.deepEqual(config.trustedProxies, ['loopback', '10.0.0.0/8', 'fd00::1']);
    assert.equal(describeConfig(config).database, 'postgres://u:***@localhost:5432/tresor');
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['unknown TRESOR_ setting', { TRESOR_DATADIR: 'x' }, /unknown setting TRESOR_DATADIR/],
    ['port not a number', { PORT: 'http' }, /PORT must be an integer/],
    ['port out of range', { PORT: '70000' }, /PORT must be an integer/],
    ['log level', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    ['database url scheme', { DATABASE_URL: 'mysql://x/y' }, /must start with postgres/],
    ['database url garbage', { DATABASE_URL: 'not a url' }, /not a URL/],
    ['half TLS', { TRESOR_TLS_CERT: '/x' }, /needs both/],
    ['boolean', { TRESOR_DIAGNOSTICS: 'maybe' }, /true or false/],
    ['trust every proxy', { TRESOR_TRUST_PROXY: 'true' }, /TRESOR_TRUST_PROXY must list .*"true"/],
    ['proxy range', { TRESOR_TRUST_PROXY: '10.0.0.0/33' }, /TRESOR_TRUST_PROXY must list/],
    ['public URL', { TRESOR_PUBLIC_URL: 'ftp://x' }, /TRESOR_PUBLIC_URL must be an http\(s\) URL/],
    ['lock days', { TRESOR_BACKUP_LOCK_DAYS: '-1' }, /TRESOR_BACKUP_LOCK_DAYS must be an integer/],
    ['scrub rate', { TRESOR_SCRUB_MB_PER_SECOND: '0' }, /TRESOR_SCRUB_MB_PER_SECOND must be an integer/],
  ];
  for (const [name, env, message] of bad) {
    it(`rejects ${name} with a one-line message`, () => {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) =>
          error instanceof ConfigError && message.test(error.message) && !error.message.includes('\n'),
      );
    });
  }

  it('reads TLS files and names an unreadable one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tresor-config-'));
    writeFileSync(join(dir, 'cert.pem'), 'CERT');
    writeFileSync(join(dir, 'key.pem'), 'KEY');
    const config = loadConfig({
      TRESOR_TLS_CERT: join(dir, 'cert.pem'),
      TRESOR_TLS_KEY: join(dir, 'key.pem'),
    });
    assert.equal(config.tls?.cert.toString(), 'CERT');
    assert.throws(
      () => loadConfig({ TRESOR_TLS_CERT: join(dir, 'nope.pem'), TRESOR_TLS_KEY: join(dir, 'key.pem') }),
      /TRESOR_TLS_CERT: cannot read .*nope\.pem \(ENOENT\)/,
    );
  });
});
