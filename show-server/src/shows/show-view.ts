import type { PhoneStatus, ShowView, StoredShow, TakeManifest } from '@showrec/protocol';

export interface ShowViewInputs {
  show: StoredShow;
  phones: PhoneStatus[];
  takes: TakeManifest[];
  /** For the host: conditions that stop recording (disk below its floor…). */
  warnings: string[];
  joinUrl: string;
  now: number;
}

/** The full view (host, crew) or the public one (stage, phones): cue notes blanked, no phone list. */
export function buildShowView(
  { show, phones, takes, warnings, joinUrl, now }: ShowViewInputs,
  full: boolean,
): ShowView {
  const recording = phones.filter((p) => p.state === 'recording').length;
  const credits: string[] = [];
  for (const take of takes) {
    if (!credits.includes(take.participant.name)) credits.push(take.participant.name);
  }
  return {
    id: show.id,
    title: show.title,
    venue: show.venue,
    date: show.date,
    joinCode: show.joinCode,
    joinUrl,
    cues: full ? show.cues : show.cues.map((cue) => ({ ...cue, notes: '' })),
    currentCueIndex: show.currentCueIndex,
    cueStartedAt: show.cueStartedAt,
    standby: show.standby,
    ended: show.ended,
    lastMessage: show.lastMessage,
    capture: { running: show.capture.running, takes: takes.length, recording },
    phones: { joined: phones.length, recording, list: full ? phones : [] },
    credits,
    wall: show.wall,
    warnings: full ? warnings : [],
    serverNow: now,
  };
}
