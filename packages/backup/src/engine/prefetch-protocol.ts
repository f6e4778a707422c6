/** What the prefetch worker is started with (its `workerData`). */
export interface PrefetchSetup {
  /**
   * Int32 slots: [PREFETCH_READING] how many hinted files the workers have started reading
   * (every hinted file below this number is skipped), [PREFETCH_STOP] non-zero once the main
   * thread wants the worker to stop.
   */
  readonly control: SharedArrayBuffer;
  /** Hinted files the worker reads ahead of the workers at most. */
  readonly aheadFiles: number;
}

export const PREFETCH_READING = 0;
export const PREFETCH_STOP = 1;

/** Files about to be read, numbered on from `first` in the order the workers will read them. */
export interface PrefetchHint {
  readonly first: number;
  readonly paths: readonly string[];
}
