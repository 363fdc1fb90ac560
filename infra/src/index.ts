export { childExit, stopChild } from './child-exit.js';
export { startEmbeddedRedis, type EmbeddedRedis } from './embedded-redis.js';
export { freeTcpPort } from './free-port.js';
export { s3Environment } from './object-store/s3-environment.js';
export { startSwift, type S3Endpoint, type SwiftServer } from './object-store/swift-server.js';
export { repoRoot, startStack, type Stack, type StackOptions } from './stack.js';
export {
  decodeFully,
  ffprobe,
  makeCameraFeed,
  makeClip,
  packetTimelines,
  sendClipAsRtp,
  videoFrameSizes,
  videoFrames,
  type ProbedMedia,
  type RtpTarget,
  type StreamTimeline,
} from './testing/test-media.js';
export { startSentinelRedis, type SentinelRedis } from './testing/redis-sentinels.js';
export { createTestNetwork, type TestHost, type TestNetwork } from './testing/test-network.js';
export { waitFor } from './testing/wait-for.js';
export { processAlive } from './processes/index.js';
