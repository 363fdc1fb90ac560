export { expectedEtag } from './checksum.js';
export { migrateMedia, type MigrationReport } from './migrate.js';
export { LocalStore } from './local-store.js';
export {
  assertKey,
  MissingObjectError,
  type CheckedOut,
  type MediaStore,
  type PutOptions,
  type StoredObject,
} from './media-store.js';
export { S3Store } from './s3-store.js';
export { openMediaStore, s3SettingsFromEnv, type S3Settings } from './store-config.js';
