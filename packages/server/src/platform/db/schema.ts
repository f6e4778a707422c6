import type { ColumnType, Generated } from 'kysely';

/**
 * Row types of every table, as the migrations in `src/migrations` create them.
 * Tables owned by a practice carry `practice_id` and are guarded by row-level security.
 */
export interface Schema {
  tenant_probes: TenantProbeTable;
  tenant_lookup: TenantLookupTable;
  practices: PracticeTable;
  users: UserTable;
  devices: DeviceTable;
  sessions: SessionTable;
  invites: InviteTable;
  practice_key_grants: PracticeKeyGrantTable;
  security_alarms: SecurityAlarmTable;
  audit_entries: AuditEntryTable;
  audit_heads: AuditHeadTable;
  audit_checkpoints: AuditCheckpointTable;
  passkeys: PasskeyTable;
  backup_credentials: BackupCredentialTable;
  backup_credential_tokens: BackupCredentialTokenTable;
  backup_objects: BackupObjectTable;
  backup_retention_locks: BackupRetentionLockTable;
  backup_forgotten_snapshots: BackupForgottenSnapshotTable;
  blob_references: BlobReferenceTable;
  blob_damage: BlobDamageTable;
  patients: PatientTable;
  patient_versions: PatientVersionTable;
  clinical_entries: ClinicalEntryTable;
  documents: DocumentTable;
  document_chunks: DocumentChunkTable;
  patient_blind_index: PatientBlindIndexTable;
  directory_entries: DirectoryEntryTable;
  directory_heads: DirectoryHeadTable;
  patient_erasures: PatientErasureTable;
}

export interface BackupCredentialTable {
  id: string;
  practice_id: string;
  name: string;
  kind: 'agent' | 'retention';
  created_by: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

/** Global: token hash → credential (no secrets). */
export interface BackupCredentialTokenTable {
  token_hash: string;
  practice_id: string;
  credential_id: string;
}

export interface BackupObjectTable {
  practice_id: string;
  kind: 'config' | 'keys' | 'index' | 'snapshots' | 'data';
  name: string;
  blob_key: string;
  size: BigIntColumn;
  created_by: string;
  created_at: Generated<Date>;
  locked_until: Date;
}

/** At most one per practice: the live cloud retention run (see the migration). */
export interface BackupRetentionLockTable {
  practice_id: string;
  id: string;
  credential_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
}

/** Snapshot objects a cloud retention run deleted: never stored again (see the migration). */
export interface BackupForgottenSnapshotTable {
  practice_id: string;
  name: string;
  forgotten_at: Generated<Date>;
}

/** Global: how many rows of each practice refer to a blob (maintained by triggers). */
/** Blobs the integrity scrub found damaged (platform/blob/blob-scrub.ts). */
export interface BlobDamageTable {
  blob_key: string;
  detected_at: Generated<Date>;
  alarmed_at: Date | null;
}

export interface BlobReferenceTable {
  blob_key: string;
  practice_id: string;
  refs: number;
}

export interface PasskeyTable {
  id: string;
  practice_id: string;
  user_id: string;
  name: string;
  /** COSE public key, base64url. */
  public_key: string;
  sign_count: BigIntColumn;
  transports: string[];
  created_at: Generated<Date>;
  last_used_at: Date | null;
}

export interface TenantProbeTable {
  id: Generated<string>;
  practice_id: string;
  body: string;
  created_at: Generated<Date>;
}

/** JSON stored as jsonb: written as a JSON string, read back parsed. */
type Json = ColumnType<unknown, string, string>;
/** bigint: pg returns strings, PGlite numbers; stores normalise with Number(). */
type BigIntColumn = ColumnType<string | number | bigint, number, number>;

export interface TenantLookupTable {
  kind: 'username' | 'session' | 'invite';
  key: string;
  practice_id: string;
  target_id: string;
  created_at: Generated<Date>;
}

export interface PracticeTable {
  id: string;
  practice_id: Generated<string>;
  name: string;
  require_two_factor: Generated<boolean>;
  current_pk_version: Generated<number>;
  created_at: Generated<Date>;
}

export interface UserTable {
  id: string;
  practice_id: string;
  username: string;
  role: 'primary' | 'secondary';
  status: 'active' | 'removed';
  opaque_record: string;
  user_key_by_password: Json;
  user_key_by_recovery: Json;
  private_keys: Json;
  encryption_public_key: string;
  signing_public_key: string;
  recovery_public_key: string;
  totp_secret_sealed: string | null;
  totp_enrolled_at: Date | null;
  totp_last_step: BigIntColumn | null;
  /** Envelope under the user key: the colleagues this user trusts to grant practice keys. */
  trusted_granters: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DeviceTable {
  id: string;
  practice_id: string;
  user_id: string;
  name: string;
  public_key: string;
  status: 'pending' | 'approved' | 'revoked';
  created_at: Generated<Date>;
  approved_at: Date | null;
  approved_by: string | null;
  revoked_at: Date | null;
  last_seen_at: Date | null;
}

export interface SessionTable {
  id: string;
  practice_id: string;
  user_id: string;
  device_id: string;
  client_ip: string | null;
  user_agent: string | null;
  created_at: Generated<Date>;
  last_seen_at: Generated<Date>;
  expires_at: Date;
  revoked_at: Date | null;
}

export interface InviteTable {
  id: string;
  practice_id: string;
  role: 'primary' | 'secondary';
  created_by: string;
  created_at: Generated<Date>;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_user_id: string | null;
  revoked_at: Date | null;
}

export interface PracticeKeyGrantTable {
  practice_id: string;
  pk_version: number;
  recipient_user_id: string;
  granter_user_id: string;
  grant_body: Json;
  created_at: Generated<Date>;
}

export interface SecurityAlarmTable {
  id: Generated<string>;
  practice_id: string;
  user_id: string | null;
  kind: string;
  detail: string;
  created_at: Generated<Date>;
  acknowledged_at: Date | null;
}

/** A position in an audit log (bigint): pg returns strings, PGlite numbers; the audit store normalises. */
type AuditPosition = ColumnType<string | number | bigint, number, number>;

/** Append-only (trigger + privileges): rows are inserted, never updated or deleted. */
export interface AuditEntryTable {
  practice_id: string;
  seq: AuditPosition;
  occurred_at: Date;
  actor_user_id: string | null;
  device_id: string | null;
  action: string;
  target_id: string | null;
  ciphertext_hash: string | null;
  entry_hash: string;
}

export interface AuditHeadTable {
  practice_id: string;
  seq: AuditPosition;
  head_hash: string;
}

/** Append-only (trigger + privileges). */
export interface AuditCheckpointTable {
  practice_id: string;
  tree_size: AuditPosition;
  root_hash: string;
  chain_head: string;
  created_at: Date;
  signature: string;
  frontier: string;
}

/** A `date` column: written as 'YYYY-MM-DD', read back as a Date (pg) or string (PGlite); stores normalise. */
type DateColumn = ColumnType<Date | string, string, string>;

/** Records: every jsonb column below holds an envelope (ciphertext), never plaintext. */
export interface PatientTable {
  practice_id: string;
  id: string;
  current_version: number;
  data_key: Json;
  data_key_pk_version: number;
  created_at: Generated<Date>;
  created_by: string;
  updated_at: Generated<Date>;
  updated_by: string;
  last_treatment: DateColumn | null;
  retention_until: DateColumn | null;
}

/** Append-only for the application role (no UPDATE privilege); deleted only by erasure. */
export interface PatientVersionTable {
  practice_id: string;
  patient_id: string;
  version: number;
  master: Json;
  changed_at: Generated<Date>;
  changed_by: string;
}

/** Append-only for the application role; deleted only by erasure. */
export interface ClinicalEntryTable {
  practice_id: string;
  id: string;
  patient_id: string;
  body: Json;
  author_id: string;
  created_at: Generated<Date>;
}

export interface DocumentTable {
  practice_id: string;
  id: string;
  patient_id: string;
  meta: Json;
  size: BigIntColumn;
  chunk_size: number;
  chunk_count: number;
  status: 'uploading' | 'complete';
  created_at: Generated<Date>;
  created_by: string;
  completed_at: Date | null;
}

export interface DocumentChunkTable {
  practice_id: string;
  document_id: string;
  idx: number;
  blob_key: string;
  size: number;
}

export interface PatientBlindIndexTable {
  practice_id: string;
  patient_id: string;
  field: 'kvnr' | 'name_dob';
  pk_version: number;
  value: number;
}

export interface DirectoryEntryTable {
  practice_id: string;
  patient_id: string;
  seq: BigIntColumn;
  /** The encrypted directory entry; null once the patient was erased (tombstone). */
  entry: Json | null;
}

export interface DirectoryHeadTable {
  practice_id: string;
  seq: BigIntColumn;
}

/** Append-only for the application role (no UPDATE or DELETE privilege). */
export interface PatientErasureTable {
  practice_id: string;
  patient_id: string;
  erased_at: Generated<Date>;
  erased_by: string;
  category: string;
  reason: Json | null;
  under_retention: boolean;
}
