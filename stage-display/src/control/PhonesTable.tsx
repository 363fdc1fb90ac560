import type { PhoneStatus } from '@showrec/protocol';

/** Every phone in the show, what arrives from it, and a warning for a phone that went quiet. */
export function PhonesTable({ phones }: { phones: PhoneStatus[] }) {
  if (phones.length === 0) return <p className="hint">No phones yet.</p>;
  return (
    <table className="phones">
      <thead>
        <tr>
          <th>Phone</th>
          <th>State</th>
          <th>Bitrate</th>
          <th>Lost</th>
        </tr>
      </thead>
      <tbody>
        {phones.map((p) => (
          <tr key={p.participantId} className={p.stalled ? 'warning' : undefined}>
            <td>{p.name}</td>
            <td>{p.stalled ? '⚠ stopped sending' : p.state}</td>
            <td>{(p.bitrate / 1000).toFixed(0)} kbit/s</td>
            <td>{p.packetsLost}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
