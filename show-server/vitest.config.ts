import { sharedTestConfig } from '../vitest.shared.ts';

// Each file starts its own Redis, servers and mediasoup workers on free ports and mostly waits
// on them: two files at once took 100 s where one at a time took 150.
export default sharedTestConfig('show-server', { filesAtOnce: 2 });
