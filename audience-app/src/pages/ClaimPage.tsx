import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { claimedSchema } from '@showrec/protocol';
import { deviceTokenKey } from '../capture/capture-session.js';

/** Opens a claim link: this browser becomes the one that holds the RECords, then shows them. */
export function ClaimPage() {
  const code = useParams().code ?? '';
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch(`/api/claims/${encodeURIComponent(code)}`, { method: 'POST' })
      .then(async (res) => {
        const json: unknown = await res.json();
        if (!res.ok) throw new Error((json as { error: string }).error);
        const claimed = claimedSchema.parse(json);
        localStorage.setItem(deviceTokenKey(claimed.joinCode), claimed.deviceToken);
        await navigate(`/me/${claimed.joinCode}`, { replace: true });
      })
      .catch((err: Error) => setError(err.message));
  }, [code, navigate]);
  return <main className="your-records">{error ?? 'Moving your RECords here…'}</main>;
}
