import { useCallback, useEffect, useRef, useState } from 'react';
import { localSeconds, type Angle } from './angles.js';
import { timecode } from './format.js';

/** How far a video may drift from the transport before it is pulled back into line. */
const MAX_DRIFT_S = 0.08;

/**
 * Up to four angles of one moment side by side, driven by one transport on the show's timeline:
 * each video is held at (timeline − its aligned start), paused outside its own span, and pulled
 * back whenever it drifts. One angle is heard at a time (several phones at once would comb).
 */
export function MultiAngle({ angles, onClose }: { angles: Angle[]; onClose: () => void }) {
  const start = Math.min(...angles.map((a) => a.startsAt));
  const end = Math.max(...angles.map((a) => a.endsAt));
  const videos = useRef<Array<HTMLVideoElement | null>>([]);
  const clock = useRef({ t: start, wallAt: 0, playing: false });
  const [t, setT] = useState(start);
  const [playing, setPlaying] = useState(false);
  const [heard, setHeard] = useState(0);

  const place = useCallback(
    (time: number, play: boolean) => {
      angles.forEach((angle, i) => {
        const video = videos.current[i];
        if (!video) return;
        const local = localSeconds(angle, time);
        if (local === null || local >= video.duration) {
          if (!video.paused) video.pause();
          return;
        }
        if (Math.abs(video.currentTime - local) > MAX_DRIFT_S) video.currentTime = local;
        if (play && video.paused) void video.play().catch(() => undefined);
        if (!play && !video.paused) video.pause();
      });
    },
    [angles],
  );

  useEffect(() => {
    let frame = 0;
    const tick = () => {
      const c = clock.current;
      if (c.playing) {
        const now = performance.now();
        c.t = Math.min(end, c.t + (now - c.wallAt));
        c.wallAt = now;
        if (c.t >= end) {
          c.playing = false;
          setPlaying(false);
        }
        place(c.t, c.playing);
        setT(c.t);
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [end, place]);

  const toggle = () => {
    const c = clock.current;
    c.playing = !c.playing;
    if (c.playing && c.t >= end) c.t = start;
    c.wallAt = performance.now();
    setPlaying(c.playing);
    place(c.t, c.playing);
  };
  const seek = (time: number) => {
    clock.current.t = time;
    clock.current.wallAt = performance.now();
    setT(time);
    place(time, clock.current.playing);
  };

  return (
    <section className="multi-angle" data-testid="multi-angle" aria-label="Angles of this moment">
      <header>
        <h2>Angles of this moment</h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close (Esc)
        </button>
      </header>
      <div className={`angle-grid n${angles.length}`}>
        {angles.map((angle, i) => {
          const active = localSeconds(angle, t) !== null;
          return (
            <figure key={angle.item.id} className={active ? '' : 'inactive'} data-testid="angle">
              <video
                ref={(el) => {
                  videos.current[i] = el;
                }}
                src={angle.item.record!.media.video}
                poster={angle.item.record!.media.poster}
                muted={i !== heard}
                playsInline
                preload="auto"
              />
              <figcaption>
                <button
                  type="button"
                  className="link"
                  aria-pressed={i === heard}
                  title="Listen to this angle"
                  onClick={() => setHeard(i)}
                >
                  {i === heard ? 'heard' : 'muted'}
                </button>{' '}
                {angle.item.contributors.map((c) => c.name).join(', ')}{' '}
                <span className="hint" data-testid="angle-offset">
                  {angle.item.alignment
                    ? `${angle.item.alignment.method} · +${timecode(angle.startsAt - start)}`
                    : `clock · +${timecode(angle.startsAt - start)}`}
                </span>
              </figcaption>
            </figure>
          );
        })}
      </div>
      <div className="angle-timeline" data-testid="angle-timeline" aria-hidden="true">
        {angles.map((angle) => (
          <div key={angle.item.id} className="lane">
            <span
              className="span"
              style={{
                left: `${(100 * (angle.startsAt - start)) / (end - start)}%`,
                width: `${(100 * (angle.endsAt - angle.startsAt)) / (end - start)}%`,
              }}
            >
              {angle.item.contributors.map((c) => c.name).join(', ')}
            </span>
          </div>
        ))}
        <span className="playhead" style={{ left: `${(100 * (t - start)) / (end - start)}%` }} />
      </div>
      <div className="transport">
        <button type="button" onClick={toggle} data-testid="angles-play">
          {playing ? 'Pause' : 'Play'}
        </button>
        <input
          type="range"
          aria-label="Timeline"
          min={start}
          max={end}
          step={40}
          value={t}
          onChange={(e) => seek(Number(e.target.value))}
        />
        <span data-testid="angles-time">
          {timecode(t - start)} / {timecode(end - start)}
        </span>
      </div>
    </section>
  );
}
