import type { Job, Queue } from 'bullmq';
import {
  cueLabel,
  fileUploadJobSchema,
  recordIdForTake,
  trimJobSchema,
  type EditJob,
  type FileTakeJob,
  type RECord,
  type ReviewBoard,
  type ReviewItem,
  type StoredShow,
  type TakeManifest,
  DomainError,
} from '@showrec/protocol';
import type { TakeStore } from '../capture/take-store.js';
import type { RecordReader } from './record-reader.js';
import type { ReviewStore } from './review-store.js';

export interface ReviewBoardDeps {
  takes: TakeStore;
  records: RecordReader;
  reviews: ReviewStore;
  takeQueue: Queue<FileTakeJob>;
  edits: Queue<EditJob>;
}

type Draft = Omit<ReviewItem, 'review' | 'alignment'>;

/**
 * Everything the crew reviews in a show, each with its state: takes from the moment they start
 * recording, edits from the moment they are asked for, every filed RECord with its verdict and its
 * place on the timeline. A few round trips to Redis however many takes there are.
 */
export class ReviewBoards {
  constructor(private readonly deps: ReviewBoardDeps) {}

  async of(show: StoredShow): Promise<ReviewBoard> {
    const [takes, records, pendingIds, takeWorkers, editWorkers] = await Promise.all([
      this.deps.takes.listForShow(show.id),
      this.deps.records.listForShow(show.id),
      this.deps.records.pendingIds(show.id),
      this.deps.takeQueue.getWorkersCount(),
      this.deps.edits.getWorkersCount(),
    ]);
    const byId = new Map(records.map((r) => [r.id, r]));
    const unfiled = takes.filter((t) => !byId.has(recordIdForTake(t.id)));
    const failures = new Map(
      (await this.deps.records.filingFailures(unfiled.map((t) => t.id))).map((f, i) => [
        unfiled[i]!.id,
        f,
      ]),
    );
    const drafts: Draft[] = [
      ...(await Promise.all(
        takes.map((t) =>
          this.#takeItem(t, byId.get(recordIdForTake(t.id)) ?? null, failures.get(t.id)),
        ),
      )),
      ...records.filter((r) => r.parents.length > 0).map(editItem),
      ...(
        await Promise.all(
          pendingIds.filter((id) => !byId.has(id)).map((id) => this.#pendingItem(id, byId)),
        )
      ).filter((d): d is Draft => d !== null),
    ].sort((a, b) => a.startedAt - b.startedAt);

    const ids = drafts.map((d) => d.id);
    const [reviews, alignments] = await Promise.all([
      this.deps.reviews.getMany(ids),
      this.deps.records.alignments(ids),
    ]);
    return {
      show: {
        id: show.id,
        title: show.title,
        cues: show.cues.map((c, i) => ({ id: c.id, title: cueLabel(c, i) })),
      },
      items: drafts.map((d, i) => ({
        ...waitingWithout(d, d.kind === 'take' ? takeWorkers : editWorkers),
        review: reviews[i]!,
        alignment: alignments[i]!,
      })),
    };
  }

  /**
   * Files a failed item again: a take's jobs (its own and its phone copy's) or an edit's. Its
   * input is still where it was; whatever failed it (a worker short of disk, a file since
   * replaced) may be gone now.
   */
  async retry(show: StoredShow, itemId: string): Promise<void> {
    const item = (await this.of(show)).items.find((i) => i.id === itemId);
    if (!item)
      throw new DomainError('not-found', `no item ${itemId.slice(0, 64)} in this show's review`);
    // Already queued again (a second crew member pressed at once, or the first press landed):
    // what was asked is under way.
    if (item.status === 'processing' || item.status === 'waiting') return;
    if (item.status !== 'failed')
      throw new DomainError(
        'conflict',
        `only a failed item can be filed again: this one is ${item.status}`,
      );
    const jobs = item.takeId
      ? await Promise.all(
          [item.takeId, `${item.takeId}-phone`].map((id) => this.deps.takeQueue.getJob(id)),
        )
      : [await this.deps.edits.getJob(item.id)];
    const failed = [];
    for (const job of jobs) if (job && (await job.isFailed())) failed.push(job);
    // A job that is there and no longer failed was just retried by the other press.
    if (failed.length === 0 && jobs.some((job) => job)) return;
    if (failed.length === 0)
      throw new DomainError(
        'conflict',
        'nothing was queued for this item: it cannot be filed again',
      );
    if (item.takeId) await this.deps.takes.clearFilingFailure(item.takeId);
    await Promise.all(
      failed.map((job) =>
        job.retry('failed').catch(async (err: unknown) => {
          // Two crew members pressed at once: the other's retry got there first, which is this.
          if (await job.isFailed()) throw err;
        }),
      ),
    );
  }

  async #takeItem(
    take: TakeManifest,
    record: RECord | null,
    failure: string | null | undefined,
  ): Promise<Draft> {
    const base = {
      id: recordIdForTake(take.id),
      kind: 'take' as const,
      takeId: take.id,
      cueId: take.cueId,
      title: record?.title ?? take.participant.name,
      contributors: record?.contributors ?? [
        { participantId: take.participant.id, name: take.participant.name, role: 'recorded' },
      ],
      startedAt: take.startedAt,
      record,
    };
    if (record) return { ...base, status: 'filed', progress: null, failure: null };
    if (take.status === 'recording')
      return { ...base, status: 'recording', progress: null, failure: null };
    if (failure) return { ...base, status: 'failed', progress: null, failure };
    // A take whose recording failed is still filed from what it wrote, unless nothing was queued.
    const job = await this.deps.takeQueue.getJob(take.id);
    if (!job && take.status === 'failed') {
      return {
        ...base,
        status: 'failed',
        progress: null,
        failure: take.failure ?? 'the recording failed',
      };
    }
    return { ...base, status: 'processing', progress: progressOf(job), failure: null };
  }

  async #pendingItem(id: string, records: Map<string, RECord>): Promise<Draft | null> {
    const job = await this.deps.edits.getJob(id);
    if (!job) return null;
    const failed = job.finishedOn !== undefined && job.failedReason !== undefined;
    const state = {
      status: failed ? ('failed' as const) : ('processing' as const),
      progress: failed ? null : progressOf(job),
      failure: failed ? job.failedReason : null,
      startedAt: job.timestamp,
      record: null,
      takeId: null,
    };
    const upload = fileUploadJobSchema.safeParse(job.data);
    if (upload.success) {
      return {
        ...state,
        id,
        kind: 'remix',
        cueId: null,
        title: upload.data.title,
        contributors: [{ participantId: null, name: upload.data.contributor, role: 'remixed' }],
      };
    }
    const trim = trimJobSchema.parse(job.data);
    const source = records.get(trim.sourceId);
    return {
      ...state,
      id,
      kind: 'trim',
      cueId: source?.cueId ?? null,
      title: `${source?.title ?? trim.sourceId} · trim`,
      contributors: [
        ...(source?.contributors ?? []),
        { participantId: null, name: trim.editor, role: 'edited' },
      ],
    };
  }
}

/** With no media-worker running, "processing" would wait forever and say nothing. */
function waitingWithout(draft: Draft, workers: number): Draft {
  return draft.status === 'processing' && workers === 0 ? { ...draft, status: 'waiting' } : draft;
}

function progressOf(job: Job | undefined): number {
  return typeof job?.progress === 'number' ? job.progress : 0;
}

function editItem(record: RECord): Draft {
  return {
    id: record.id,
    kind: record.source === 'upload' ? 'remix' : 'trim',
    takeId: record.takeId,
    cueId: record.cueId,
    title: record.title,
    contributors: record.contributors,
    startedAt: Date.parse(record.createdAt),
    status: 'filed',
    progress: null,
    failure: null,
    record,
  };
}
