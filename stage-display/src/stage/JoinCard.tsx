import { useEffect, useState } from 'react';
import QRCode from 'qrcode';
import { absoluteUrl } from '../show/use-show-socket.js';

/** A QR code big enough to scan from the back of the room, the code, and the address. */
export function JoinCard({
  joinUrl,
  joinCode,
  text,
}: {
  joinUrl: string;
  joinCode: string;
  text: string;
}) {
  const url = absoluteUrl(joinUrl);
  const [qr, setQr] = useState('');
  useEffect(() => {
    void QRCode.toDataURL(url, { margin: 1, width: 800 }).then(setQr);
  }, [url]);
  return (
    <div className="join-card">
      {qr && <img src={qr} alt={`QR code for ${url}`} />}
      <div>
        <p className="cue-text">{text || 'Join with your phone'}</p>
        <p className="join-code" data-testid="stage-join-code">
          {joinCode}
        </p>
        <p className="join-url">{url}</p>
      </div>
    </div>
  );
}
