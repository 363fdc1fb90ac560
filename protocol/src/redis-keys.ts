/**
 * The Redis key layout shared by the show-server (writes shows and takes) and the media-worker
 * (writes RECords). One place, so both sides agree.
 */
export const redisKeys = {
  show: (showId: string) => `showrec:show:${showId}`,
  /** Held by the one media-worker job writing a RECord's folder (see media-worker's record-lock). */
  recordLock: (recordId: string) => `showrec:record:${recordId}:lock`,
  /** The ffmpeg and ffprobe processes a job's running attempt started (their identities). */
  jobChildren: (queue: string, jobId: string) => `showrec:job:${queue}:${jobId}:children`,
  /** Pub/sub channel: `{ showId, version }` after every stored change of a show. */
  showChanges: () => 'showrec:show-changes',
  showByJoinCode: (joinCode: string) => `showrec:join:${joinCode}`,
  /** Every show's id, scored by when it was made (the admin's list). */
  shows: () => 'showrec:shows',
  /** Set once the shows made before that index are in it. */
  showsIndexed: () => 'showrec:shows:indexed',
  /** A one-time claim link's code (hashed): which phone's RECords it moves to a new device. */
  claim: (codeHash: string) => `showrec:claim:${codeHash}`,
  /** Collections, by id, and the ids of all of them, scored by when they were made. */
  collection: (id: string) => `showrec:collection:${id}`,
  collections: () => 'showrec:collections',
  /** A collection's statements, oldest first, and each statement by id. */
  collectionStatements: (id: string) => `showrec:collection:${id}:statements`,
  statement: (id: string) => `showrec:statement:${id}`,
  /** Set once, when a statement is made final: who did, and when. */
  statementFinal: (id: string) => `showrec:statement:${id}:final`,
  showTakes: (showId: string) => `showrec:show:${showId}:takes`,
  showRecords: (showId: string) => `showrec:show:${showId}:records`,
  showDevices: (showId: string) => `showrec:show:${showId}:devices`,
  showPhones: (showId: string) => `showrec:show:${showId}:phones`,
  /** Phones of the show a process turned away at capacity: how many, and the last reason. */
  showRefusals: (showId: string) => `showrec:show:${showId}:refusals`,
  take: (takeId: string) => `showrec:take:${takeId}`,
  /**
   * Every take still recording, or ended and not yet handed to the media-worker, across all
   * show-server processes: what recovery looks after when a process dies.
   */
  takesOpen: () => 'showrec:takes:open',
  takeRecoveryLock: (takeId: string) => `showrec:take:${takeId}:recovering`,
  /** Takes a participant's phone has been asked to upload and has not finished. */
  pendingUploads: (participantId: string) => `showrec:participant:${participantId}:uploads`,
  /** The HMAC key of download links (see show-server's download-links.ts). */
  downloadLinkKey: () => 'showrec:download-link-key',
  /** Join-code attempts from one address in the current minute. */
  joinAttempts: (address: string) => `showrec:join-attempts:${address}`,
  /** Held while a chunk of a take's phone copy is written, so a chunk lands once. */
  uploadLock: (takeId: string) => `showrec:take:${takeId}:upload-lock`,
  /** A show-server node's NodeInfo, kept only as long as its heartbeat refreshes it. */
  node: (nodeId: string) => `showrec:node:${nodeId}`,
  /** Ids of the nodes that registered (a dead one's entry is dropped by whoever lists them). */
  nodes: () => 'showrec:nodes',
  /** Phones placed on a node since its last heartbeat, so concurrent joins spread out. */
  nodeReserved: (nodeId: string) => `showrec:node:${nodeId}:reserved`,
  /** A request to drain a node: `boundary` or `now` (see show-server's drain command). */
  nodeDrain: (nodeId: string) => `showrec:node:${nodeId}:drain`,
  /** Each phone's latest take in a show's running capture, so its next part links to it on any node. */
  showLastTakes: (showId: string) => `showrec:show:${showId}:last-takes`,
  takeFailure: (takeId: string) => `showrec:take:${takeId}:filing-failure`,
  record: (recordId: string) => `showrec:record:${recordId}`,
  recordReview: (recordId: string) => `showrec:record:${recordId}:review`,
  recordNotes: (recordId: string) => `showrec:record:${recordId}:notes`,
  recordChildren: (recordId: string) => `showrec:record:${recordId}:children`,
  recordAlignment: (recordId: string) => `showrec:record:${recordId}:alignment`,
  /** Trims and remix uploads asked for and not yet filed, so the review lists them while they process. */
  showPendingRecords: (showId: string) => `showrec:show:${showId}:pending-records`,
};
