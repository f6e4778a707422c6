export { RecordsClient } from './records-client.js';
export { PatientDirectory } from './directory.js';
export { DirectoryRollbackError, ListRollbackError, RecordRollbackError } from './record-versions.js';
export type { EraseOptions } from './erasure.js';
export type { RecordsContext } from './records-context.js';
export type {
  ClinicalEntry,
  DirectoryHit,
  DirectoryMatch,
  DocumentInfo,
  DownloadOptions,
  EntryInput,
  ErasureCategory,
  ErasureRecord,
  Patient,
  PatientMaster,
  PatientVersion,
  PendingUpload,
  UploadOptions,
  UploadSource,
  UserRef,
} from './types.js';
