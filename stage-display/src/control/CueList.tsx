import { useState } from 'react';
import type { Cue, CueInput } from '@showrec/protocol';
import { CueForm } from './CueForm.js';

export interface CueListProps {
  cues: Cue[];
  currentIndex: number;
  onJump: (index: number) => void;
  onSave: (cueId: string, input: CueInput) => void;
  onDelete: (cueId: string) => void;
  onReorder: (ids: string[]) => void;
}

/** The run of show: jump to any cue, drag to reorder, edit and delete in place. */
export function CueList({ cues, currentIndex, onJump, onSave, onDelete, onReorder }: CueListProps) {
  const [editing, setEditing] = useState<string | null>(null);
  const [dragged, setDragged] = useState<string | null>(null);
  const drop = (targetId: string) => {
    if (!dragged || dragged === targetId) return;
    const ids = cues.map((c) => c.id).filter((id) => id !== dragged);
    ids.splice(ids.indexOf(targetId), 0, dragged);
    onReorder(ids);
    setDragged(null);
  };
  return (
    <ol className="cue-list">
      {cues.map((cue, index) => (
        <li
          key={cue.id}
          className={
            index === currentIndex ? 'live' : index === currentIndex + 1 ? 'next' : undefined
          }
          draggable={editing === null}
          onDragStart={() => setDragged(cue.id)}
          onDragOver={(e) => e.preventDefault()}
          onDrop={() => drop(cue.id)}
          data-testid={`cue-${index}`}
        >
          {editing === cue.id ? (
            <CueForm
              cue={cue}
              onSave={(input) => {
                onSave(cue.id, input);
                setEditing(null);
              }}
              onCancel={() => setEditing(null)}
            />
          ) : (
            <>
              <span className="cue-number">{index}</span>
              <span className={`cue-kind kind-${cue.kind}`}>{cue.kind}</span>
              <span className="cue-summary">
                <strong>{cue.text || '—'}</strong>
                {cue.performer && <em> · {cue.performer}</em>}
                {cue.notes && <small>{cue.notes}</small>}
              </span>
              <span className="cue-duration">
                {cue.plannedDurationSec !== null ? `${cue.plannedDurationSec}s` : ''}
              </span>
              <button
                className="secondary"
                onClick={() => onJump(index)}
                aria-label={`Jump to cue ${index}`}
              >
                Jump
              </button>
              <button className="secondary" onClick={() => setEditing(cue.id)}>
                Edit
              </button>
              <button
                className="danger"
                onClick={() => window.confirm(`Delete cue ${index}?`) && onDelete(cue.id)}
              >
                Delete
              </button>
            </>
          )}
        </li>
      ))}
    </ol>
  );
}
