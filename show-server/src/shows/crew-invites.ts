import { DomainError, type CrewMember } from '@showrec/protocol';
import { hashSecret, newId, newSecret } from './secrets.js';
import type { ShowStore } from './show-store.js';

const MAX_CREW = 200;

/**
 * Named crew: the host invites each person with a key of their own, so their verdicts, notes,
 * trims and publishing are credited to them. Stored in the show (hashed), where every key check
 * already looks.
 */
export async function inviteCrew(
  shows: ShowStore,
  showId: string,
  name: string,
): Promise<{ member: CrewMember; key: string }> {
  const key = newSecret();
  const member: CrewMember = {
    id: newId(),
    name,
    keyHash: hashSecret(key),
    invitedAt: new Date().toISOString(),
  };
  await shows.update(showId, (show) => {
    // Credits name people: two crew members of one name could not be told apart.
    if (show.crew.some((m) => m.name.toLowerCase() === name.toLowerCase()))
      throw new DomainError('conflict', `the crew already has someone called ${name}`);
    if (show.crew.length >= MAX_CREW)
      throw new DomainError('conflict', `a show has at most ${MAX_CREW} named crew`);
    show.crew.push(member);
  });
  return { member, key };
}

export async function revokeCrew(
  shows: ShowStore,
  showId: string,
  memberId: string,
): Promise<void> {
  await shows.update(showId, (show) => {
    const at = show.crew.findIndex((m) => m.id === memberId);
    if (at < 0) throw new DomainError('not-found', `no crew member ${memberId} in this show`);
    show.crew.splice(at, 1);
  });
}
