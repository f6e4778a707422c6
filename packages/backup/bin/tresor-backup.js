#!/usr/bin/env node
// Entry of the `tresor-backup` command. The CLI itself is compiled TypeScript in ../dist.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('tresor-backup: not built yet; run "npm run build" in the repository first\n');
    process.exit(1);
  }
  throw error;
}
