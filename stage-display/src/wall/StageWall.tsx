import { wallGrid, type StageProgram, type WallTile } from '@showrec/protocol';
import { LiveVideo } from './LiveVideo.js';
import type { Received } from './wall-viewer.js';

/**
 * The audience on the stage: one phone full screen with its name as a lower third, or a wall.
 * Every phone this screen receives keeps one video element whatever its place (a tile, full
 * screen, or held ready unseen), so a cut only moves an element that is already playing.
 */
export function StageWall({
  program,
  tracks,
  received,
}: {
  program: Exclude<StageProgram, { kind: 'cue' }>;
  tracks: ReadonlyMap<string, MediaStreamTrack>;
  received: ReadonlyMap<string, Received>;
}) {
  const tiles: WallTile[] = program.kind === 'featured' ? [program.tile] : program.tiles;
  const shown = new Map(tiles.map((t, i) => [t.participantId, { tile: t, order: i }]));
  const ids = [...new Set([...tracks.keys(), ...shown.keys()])].sort();
  const { columns, rows } =
    program.kind === 'wall' ? wallGrid(program.layout) : { columns: 1, rows: 1 };
  return (
    <div
      className={program.kind === 'featured' ? 'stage-featured' : 'stage-wall'}
      data-testid={program.kind === 'featured' ? 'stage-featured' : 'stage-wall'}
      data-participant={program.kind === 'featured' ? program.tile.participantId : undefined}
      style={{
        gridTemplateColumns: `repeat(${columns}, 1fr)`,
        gridTemplateRows: `repeat(${rows}, 1fr)`,
      }}
    >
      {ids.map((id) => {
        const place = shown.get(id);
        return (
          <figure
            key={id}
            className={place ? 'wall-tile' : 'standby-tile'}
            data-participant={place ? id : undefined}
            style={place ? { order: place.order } : undefined}
          >
            <LiveVideo
              track={tracks.get(id)}
              received={received.get(id)}
              testId={place ? 'stage-tile-video' : undefined}
            />
            {place && program.kind === 'wall' && <figcaption>{place.tile.name}</figcaption>}
          </figure>
        );
      })}
      {program.kind === 'featured' && <p className="lower-third">{program.tile.name}</p>}
    </div>
  );
}
