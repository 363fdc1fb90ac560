import type { S3Endpoint } from './swift-server.js';

/** The environment that points a show-server or media-worker at an S3 store (README: "Object storage"). */
export function s3Environment(store: S3Endpoint, bucket: string): Record<string, string> {
  return {
    SHOWREC_S3_ENDPOINT: store.endpoint,
    SHOWREC_S3_BUCKET: bucket,
    SHOWREC_S3_REGION: store.region,
    SHOWREC_S3_ACCESS_KEY_ID: store.accessKeyId,
    SHOWREC_S3_SECRET_ACCESS_KEY: store.secretAccessKey,
  };
}
