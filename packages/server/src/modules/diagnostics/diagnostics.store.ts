export interface Probe {
  readonly id: string;
  readonly practiceId: string;
  readonly body: string;
  readonly createdAt: Date;
}

/** Practice-scoped probe rows; every call runs inside that practice's tenant transaction. */
export interface ProbeStore {
  create(practiceId: string, body: string): Promise<Probe>;
  find(practiceId: string, id: string): Promise<Probe | undefined>;
  list(practiceId: string, limit: number): Promise<Probe[]>;
}
