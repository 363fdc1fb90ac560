import { useEffect, useMemo, useRef, useState } from 'react';
import {
  wallLayouts,
  type ClientEventResults,
  type PhoneStatus,
  type StageProgram,
  type WallPatch,
  type WallState,
} from '@showrec/protocol';
import type { ShowSocket } from '../show/use-show-socket.js';
import { LiveVideo } from '../wall/LiveVideo.js';
import { useWallFeed } from '../wall/use-wall-feed.js';
import { useShortcuts } from './use-shortcuts.js';

type Send = <E extends keyof ClientEventResults>(event: E, payload?: object) => Promise<void>;

/** What the stage shows now, in a few words. */
function describe(program: StageProgram | undefined): string {
  if (!program || program.kind === 'cue') return 'the live cue';
  if (program.kind === 'featured') return `${program.tile.name}, full screen`;
  return `the wall: ${program.tiles.length} of ${program.layout} tiles`;
}

/**
 * Every phone as a live tile (the smallest layer), a page at a time; a click previews one larger.
 * From here the host puts a phone on the stage ("On screen"), pins phones, and puts the wall up.
 * Tiles scrolled out of sight, or the whole section folded, receive nothing (the server pauses them).
 */
export function LiveTiles({
  socket,
  wall,
  send,
}: {
  socket: ShowSocket | null;
  wall: WallState;
  send: Send;
}) {
  const [open, setOpen] = useState(true);
  const [page, setPage] = useState(0);
  const [preview, setPreview] = useState<string | null>(null);
  const [visible, setVisible] = useState<string[]>([]);
  const [pageVisible, setPageVisible] = useState(() => document.visibilityState === 'visible');
  const grid = useRef<HTMLDivElement>(null);
  const watch = useMemo(
    () => ({ page, preview: open ? preview : null, visible: open && pageVisible ? visible : [] }),
    [page, preview, open, pageVisible, visible],
  );
  const feed = useWallFeed(socket, watch);
  const phones = feed.state?.page?.phones ?? [];
  const pages = feed.state?.page?.count ?? 1;

  useEffect(() => {
    const onVisibility = () => setPageVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, []);
  const ids = phones.map((p) => p.participantId).join(',');
  useEffect(() => {
    const root = grid.current;
    if (!root) return;
    const seen = new Set<string>();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const id = (entry.target as HTMLElement).dataset.participant!;
          if (entry.isIntersecting) seen.add(id);
          else seen.delete(id);
        }
        setVisible([...seen].sort());
      },
      { root },
    );
    root.querySelectorAll('[data-participant]').forEach((tile) => observer.observe(tile));
    return () => observer.disconnect();
  }, [ids, open]);

  const setWall = (patch: WallPatch) => void send('wall:set', patch);
  const togglePin = (id: string) =>
    setWall({
      pinned: wall.pinned.includes(id) ? wall.pinned.filter((p) => p !== id) : [...wall.pinned, id],
    });
  const shortcuts = useMemo(
    () => ({
      w: () => setWall({ onStage: !wall.onStage, featured: null }),
      x: () => setWall({ featured: null }),
      '[': () => setPage((p) => Math.max(0, p - 1)),
      ']': () => setPage((p) => Math.min(pages - 1, p + 1)),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- setWall only closes over send
    [wall.onStage, pages, send],
  );
  useShortcuts(shortcuts);
  const previewed = phones.find((p) => p.participantId === preview);

  return (
    <section className="live" data-testid="live-tiles">
      <h2>
        Live phones{' '}
        <button className="secondary" onClick={() => setOpen((o) => !o)} aria-expanded={open}>
          {open ? 'Hide tiles' : 'Show tiles'}
        </button>
      </h2>
      <p data-testid="stage-program">Stage shows {describe(feed.state?.program)}</p>
      {feed.error && <p className="error">{feed.error}</p>}
      <div className="wall-controls">
        <label>
          Wall layout{' '}
          <select
            value={wall.layout}
            onChange={(e) => setWall({ layout: Number(e.target.value) as WallState['layout'] })}
          >
            {wallLayouts.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Rotate{' '}
          <select
            value={wall.rotateSeconds}
            onChange={(e) => setWall({ rotateSeconds: Number(e.target.value) })}
          >
            {[0, 5, 10, 20, 30, 60].map((s) => (
              <option key={s} value={s}>
                {s === 0 ? 'off' : `every ${s} s`}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => setWall({ onStage: !wall.onStage, featured: null })}>
          {wall.onStage ? 'Take the wall down (w)' : 'Wall on stage (w)'}
        </button>
        {wall.featured && (
          <button onClick={() => setWall({ featured: null })}>Off screen (x)</button>
        )}
        {wall.pinned.length > 0 && (
          <button className="secondary" onClick={() => setWall({ pinned: [] })}>
            Unpin all ({wall.pinned.length})
          </button>
        )}
      </div>
      {open && previewed && (
        <div className="live-preview" data-testid="live-preview">
          <LiveVideo
            track={feed.tracks.get(previewed.participantId)}
            received={feed.received.get(previewed.participantId)}
            testId="preview-video"
          />
          <Label phone={previewed} />
        </div>
      )}
      {open && (
        <div className="live-tiles" ref={grid}>
          {phones.map((phone) => (
            <div
              key={phone.participantId}
              className={[
                'live-tile',
                phone.onScreen ? 'on-screen' : '',
                preview === phone.participantId ? 'previewed' : '',
              ].join(' ')}
              data-participant={phone.participantId}
              data-testid="live-tile"
              onClick={() =>
                setPreview((p) => (p === phone.participantId ? null : phone.participantId))
              }
            >
              <LiveVideo
                track={feed.tracks.get(phone.participantId)}
                received={feed.received.get(phone.participantId)}
                testId="tile-video"
              />
              <Label phone={phone} />
              <div className="tile-actions" onClick={(e) => e.stopPropagation()}>
                <label title="Pinned phones stay on the wall">
                  <input
                    type="checkbox"
                    checked={wall.pinned.includes(phone.participantId)}
                    onChange={() => togglePin(phone.participantId)}
                    disabled={!phone.showOnStage}
                  />
                  pin
                </label>
                <button
                  onClick={() => setWall({ featured: phone.participantId })}
                  disabled={!phone.showOnStage || wall.featured === phone.participantId}
                >
                  On screen
                </button>
              </div>
            </div>
          ))}
        </div>
      )}
      {pages > 1 && (
        <p className="pager">
          <button onClick={() => setPage((p) => Math.max(0, p - 1))} disabled={page === 0}>
            ‹ [
          </button>{' '}
          page {page + 1} of {pages}{' '}
          <button
            onClick={() => setPage((p) => Math.min(pages - 1, p + 1))}
            disabled={page >= pages - 1}
          >
            ] ›
          </button>
        </p>
      )}
    </section>
  );
}

function Label({ phone }: { phone: PhoneStatus }) {
  return (
    <p className="tile-label">
      <span>{phone.name}</span>
      <span>
        {phone.showOnStage ? '' : 'not for the stage · '}
        {phone.state} · {(phone.bitrate / 1000).toFixed(0)} kbit/s
      </span>
    </p>
  );
}
