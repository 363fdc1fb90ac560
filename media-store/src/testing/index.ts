export { startTestStore, testStorageKind, type TestStore } from './test-store.js';
