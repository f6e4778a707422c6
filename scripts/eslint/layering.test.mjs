// Proves the layering rules catch violations (they also run over the whole repo in `npm run lint`).
import { describe, it } from 'node:test';
import { RuleTester } from 'eslint';
import { cryptoImportRestrictions, moduleBoundaries } from './layering.js';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

const tester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } });
const moduleFile = '/repo/packages/server/src/modules/records/records.service.ts';

tester.run('tresor/module-boundaries', moduleBoundaries, {
  valid: [
    { filename: moduleFile, code: "import { x } from './records.store.js';" },
    { filename: moduleFile, code: "import { AuditLog } from '../audit/index.js';" },
    { filename: moduleFile, code: "import { AppError } from '../../platform/app-error.js';" },
    { filename: '/repo/packages/server/src/app.ts', code: "import { a } from './modules/audit/index.js';" },
  ],
  invalid: [
    {
      filename: moduleFile,
      code: "import { AuditStore } from '../audit/audit.store.js';",
      errors: [{ messageId: 'deepImport' }],
    },
    {
      filename: moduleFile,
      code: "export { AuditStore } from '../audit/internal/thing.js';",
      errors: [{ messageId: 'deepImport' }],
    },
    {
      filename: '/repo/packages/server/src/app.ts',
      code: "import { PgAuditStore } from './modules/audit/audit.store.pg.js';",
      errors: [{ messageId: 'deepImport' }],
    },
  ],
});

// Runs ESLint's core rule with exactly the options the repo's config uses for packages/crypto.
const coreTester = new RuleTester({ languageOptions: { ecmaVersion: 2024, sourceType: 'module' } });
const { builtinRules } = await import('eslint/use-at-your-own-risk');
coreTester.run('no-restricted-imports (crypto layer)', builtinRules.get('no-restricted-imports'), {
  valid: [{ code: "import { x } from './envelope.js';", options: [cryptoImportRestrictions] }],
  invalid: [
    { code: "import { randomBytes } from 'node:crypto';", options: [cryptoImportRestrictions], errors: 1 },
    { code: "import { readFile } from 'fs';", options: [cryptoImportRestrictions], errors: 1 },
    { code: "import { TresorClient } from '@tresor/sdk';", options: [cryptoImportRestrictions], errors: 1 },
  ],
});
