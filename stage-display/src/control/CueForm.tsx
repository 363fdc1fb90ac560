import { useState, type FormEvent } from 'react';
import { cueKinds, type Cue, type CueInput } from '@showrec/protocol';

/** Adds a cue, or edits one when `cue` is given. */
export function CueForm({
  cue,
  onSave,
  onCancel,
}: {
  cue?: Cue;
  onSave: (input: CueInput) => void;
  onCancel?: () => void;
}) {
  const [kind, setKind] = useState<Cue['kind']>(cue?.kind ?? 'title');
  const [text, setText] = useState(cue?.text ?? '');
  const [performer, setPerformer] = useState(cue?.performer ?? '');
  const [prompt, setPrompt] = useState(cue?.prompt ?? '');
  const [duration, setDuration] = useState(cue?.plannedDurationSec?.toString() ?? '');
  const [notes, setNotes] = useState(cue?.notes ?? '');
  const [stopsOnNext, setStopsOnNext] = useState(cue?.captureStopsOnNextGo ?? true);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSave({
      kind,
      text,
      performer,
      prompt,
      plannedDurationSec: duration === '' ? null : Number(duration),
      notes,
      captureStopsOnNextGo: stopsOnNext,
    });
    if (!cue) {
      setText('');
      setPerformer('');
      setPrompt('');
      setDuration('');
      setNotes('');
    }
  };
  return (
    <form className="cue-form" onSubmit={submit} aria-label={cue ? 'Edit cue' : 'Add cue'}>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as Cue['kind'])}>
          {cueKinds.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </label>
      <label>
        Text
        <input value={text} onChange={(e) => setText(e.target.value)} maxLength={500} />
      </label>
      <label>
        Performer
        <input value={performer} onChange={(e) => setPerformer(e.target.value)} maxLength={120} />
      </label>
      <label>
        Phone prompt
        <input
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          maxLength={200}
          placeholder="Film the stage now"
        />
      </label>
      <label>
        Duration (s)
        <input
          type="number"
          min={0}
          value={duration}
          onChange={(e) => setDuration(e.target.value)}
        />
      </label>
      <label>
        Host notes
        <input value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={2000} />
      </label>
      {kind === 'capture' && (
        <label className="check">
          <input
            type="checkbox"
            checked={stopsOnNext}
            onChange={(e) => setStopsOnNext(e.target.checked)}
          />
          Stop capture on the next GO
        </label>
      )}
      <button type="submit">{cue ? 'Save cue' : 'Add cue'}</button>
      {onCancel && (
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      )}
    </form>
  );
}
