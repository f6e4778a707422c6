/** Live counters of a running command; the CLI renders them (progress bar or JSON lines). */
export interface Progress {
  /** Known once the quick scan of the sources is done (backup) or from the snapshot (restore). */
  filesTotal: number | undefined;
  bytesTotal: number | undefined;
  filesDone: number;
  bytesDone: number;
  /** Bytes actually read from files (backup) or written (restore); unchanged files are done without reading. */
  bytesProcessed: number;
  currentPath: string;
  readonly startedAt: number;
}

export function newProgress(): Progress {
  return {
    filesTotal: undefined,
    bytesTotal: undefined,
    filesDone: 0,
    bytesDone: 0,
    bytesProcessed: 0,
    currentPath: '',
    startedAt: Date.now(),
  };
}
