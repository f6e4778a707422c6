/** The exit codes of `tresor-backup` (documented in `--help` and the README). */
export const ExitCode = {
  ok: 0,
  /** The command failed: wrong passphrase, no repository, I/O error, … */
  error: 1,
  /** Invalid usage: unknown command or option, missing argument, no repository given. */
  usage: 2,
  /**
   * Done, but not everything: unreadable files during backup, damaged data in check or restore,
   * invalid manifests in plan, failed commands or missing paths in run.
   */
  partial: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  error (wrong passphrase, no repository, newer repository format, no or invalid plan,
     repository locked by a running prune or backup, I/O error)
  2  invalid usage (unknown command or option, missing argument, no repository given)
  3  partial: finished, but some files could not be backed up or restored, check found problems,
     a manifest was invalid (plan), a pre-/post-command failed or a planned path was missing (run),
     or protected snapshots alone exceed the size limit (forget)`;
