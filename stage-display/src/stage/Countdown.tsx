import { useEffect, useState } from 'react';

function remaining(endsAt: number, clockOffset: number): number {
  return Math.max(0, Math.ceil((endsAt - (Date.now() + clockOffset)) / 1000));
}

/** Counts down to `endsAt` on the server's clock. */
export function Countdown({ endsAt, clockOffset }: { endsAt: number; clockOffset: number }) {
  const [seconds, setSeconds] = useState(() => remaining(endsAt, clockOffset));
  useEffect(() => {
    const timer = setInterval(() => setSeconds(remaining(endsAt, clockOffset)), 200);
    return () => clearInterval(timer);
  }, [endsAt, clockOffset]);
  const text = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  return (
    <div className="countdown" data-testid="countdown">
      {text}
    </div>
  );
}
