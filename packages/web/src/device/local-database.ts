/**
 * The app's IndexedDB: what this browser keeps between visits. Nothing secret in the sense of
 * readable key material: the device key pair is a non-extractable CryptoKey (script can use it,
 * never read it), the rest are public keys and fingerprints this device pinned, the audit
 * checkpoint it last accepted, and version numbers: the highest practice-key version and record
 * versions it opened. No patient data, no session token, no practice or user key.
 */

const DATABASE_NAME = 'tresor';
/** 2: `key-versions` and `record-versions` added (missing stores are created on upgrade). */
const DATABASE_VERSION = 2;

export const stores = {
  /** This device's identity per login name (a device belongs to one user). */
  device: 'device',
  /** Per user name: granter user id → Ed25519 signing key (base64url), pinned from the invite link. */
  trustedGranters: 'trusted-granters',
  /** Per practice: member user id → fingerprint this device confirmed at a key hand-over. */
  confirmedMembers: 'confirmed-members',
  /** Per practice: the audit checkpoint (and server key) accepted at the last verification. */
  auditCheckpoints: 'audit-checkpoints',
  /** Per practice and user: the highest practice-key version this device opened (a number). */
  keyVersions: 'key-versions',
  /** Per practice and record: the highest version of its master data this device opened (a number). */
  recordVersions: 'record-versions',
} as const;

export type StoreName = (typeof stores)[keyof typeof stores];

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => {
      resolve(req.result);
    };
    req.onerror = () => {
      reject(req.error ?? new Error('IndexedDB request failed'));
    };
  });
}

/** A tiny key-value view over the app's object stores. */
export class LocalDatabase {
  #opened: Promise<IDBDatabase> | undefined;

  constructor(private readonly name: string = DATABASE_NAME) {}

  async get<T>(store: StoreName, key: string): Promise<T | undefined> {
    const db = await this.open();
    return (await request(db.transaction(store, 'readonly').objectStore(store).get(key))) as T | undefined;
  }

  async put(store: StoreName, key: string, value: unknown): Promise<void> {
    const db = await this.open();
    const transaction = db.transaction(store, 'readwrite');
    transaction.objectStore(store).put(value, key);
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => {
        resolve();
      };
      transaction.onerror = () => {
        reject(transaction.error ?? new Error('IndexedDB write failed'));
      };
    });
  }

  /**
   * Stores the number `value` under `key` unless a higher number is stored there already: read
   * and write in one transaction, so two concurrent calls never lower it.
   */
  async putMax(store: StoreName, key: string, value: number): Promise<void> {
    const db = await this.open();
    const transaction = db.transaction(store, 'readwrite');
    const objects = transaction.objectStore(store);
    const current = objects.get(key);
    current.onsuccess = () => {
      const stored: unknown = current.result;
      if (typeof stored !== 'number' || stored < value) objects.put(value, key);
    };
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => {
        resolve();
      };
      transaction.onerror = () => {
        reject(transaction.error ?? new Error('IndexedDB write failed'));
      };
    });
  }

  private open(): Promise<IDBDatabase> {
    this.#opened ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(this.name, DATABASE_VERSION);
      req.onupgradeneeded = () => {
        for (const name of Object.values(stores)) {
          if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
        }
      };
      req.onsuccess = () => {
        const db = req.result;
        // A newer version of the app opened in another tab wants to upgrade: let it, and open
        // the database again on the next use here.
        db.onversionchange = () => {
          db.close();
          this.#opened = undefined;
        };
        resolve(db);
      };
      req.onerror = () => {
        reject(req.error ?? new Error('IndexedDB cannot be opened'));
      };
    });
    return this.#opened;
  }
}

/** The one database of this app (created lazily, on first use). */
export const localDatabase = new LocalDatabase();
