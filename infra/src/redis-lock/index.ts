export { LockBusy, withRedisLock } from './redis-lock.js';
