import { useEffect, useRef, useState } from 'react';
import { CaptureSession, type SessionState, type ShowPrompt } from '../capture/capture-session.js';
import { openCamera } from '../capture/camera.js';
import { StatusBanner } from './StatusBanner.js';
import { storedShowOnStage } from './JoinForm.js';
import { showOnStageKey } from '../capture/capture-session.js';

/** The camera preview under one big, unmissable status. */
export function CaptureView({
  joinCode,
  name,
  showTitle,
}: {
  joinCode: string;
  name: string;
  showTitle: string;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [state, setState] = useState<SessionState>({ phase: 'connecting' });
  const [prompt, setPrompt] = useState<ShowPrompt>({ prompt: null, message: null, ended: false });
  const [upload, setUpload] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [onScreen, setOnScreen] = useState(false);
  const [showOnStage, setShowOnStage] = useState(storedShowOnStage);
  const sessionRef = useRef<CaptureSession | null>(null);
  const toggleShowOnStage = () => {
    const next = !showOnStage;
    setShowOnStage(next);
    localStorage.setItem(showOnStageKey, next ? 'yes' : 'no');
    sessionRef.current
      ?.setShowOnStage(next)
      .catch((err: Error) => setUpload(`Could not tell the show: ${err.message}`));
  };

  useEffect(() => {
    let session: CaptureSession | null = null;
    let stream: MediaStream | null = null;
    let cancelled = false;
    openCamera()
      .then((s) => {
        stream = s;
        if (cancelled) return;
        if (video.current) video.current.srcObject = s;
        session = new CaptureSession(
          joinCode,
          name,
          s,
          { onState: setState, onPrompt: setPrompt, onUpload: setUpload, onScreen: setOnScreen },
          storedShowOnStage(),
        );
        sessionRef.current = session;
      })
      .catch((err: Error) => !cancelled && setState({ phase: 'error', message: err.message }));
    return () => {
      cancelled = true;
      session?.close();
      sessionRef.current = null;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [joinCode, name, attempt]);

  return (
    <main className="capture">
      {prompt.message && (
        <div className="host-message" role="status" data-testid="host-message">
          {prompt.message}
        </div>
      )}
      <video ref={video} className="preview" autoPlay muted playsInline data-testid="preview" />
      {onScreen && (
        <div className="on-screen" role="status" data-testid="on-screen">
          You’re on screen
        </div>
      )}
      <button
        className="stage-consent"
        aria-pressed={!showOnStage}
        onClick={toggleShowOnStage}
        data-testid="stage-consent"
      >
        {showOnStage ? 'Don’t show me on the big screen' : 'Not shown on the big screen · allow'}
      </button>
      {upload && (
        <div className="upload-status" role="status" data-testid="upload-status">
          {upload}
        </div>
      )}
      {prompt.prompt && (
        <div className="prompt" data-testid="prompt">
          {prompt.prompt}
        </div>
      )}
      {prompt.ended && (
        <a className="your-records-link" href={`/me/${joinCode}`}>
          Your RECords
        </a>
      )}
      <StatusBanner
        state={state}
        showTitle={showTitle}
        onRetry={() => {
          setState({ phase: 'connecting' });
          setAttempt((n) => n + 1);
        }}
      />
    </main>
  );
}
