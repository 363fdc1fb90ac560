export { LocalStore } from './local-store.js';
export type { CheckedOut, MediaStore, PutOptions, StoredObject } from './media-store.js';
export { S3Store } from './s3-store.js';
export { openMediaStore, s3SettingsFromEnv, type S3Settings } from './store-config.js';
