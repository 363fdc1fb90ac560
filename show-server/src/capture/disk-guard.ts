import { statfs } from 'node:fs/promises';

export interface DiskSpace {
  ok: boolean;
  freeMb: number;
  floorMb: number;
}

/**
 * Watches the free space where takes are written. Below the floor, new takes are refused (a
 * take that cannot be written whole is worse than none) while running ones carry on.
 */
export class DiskGuard {
  #cached: { at: number; space: DiskSpace } | null = null;

  constructor(
    private readonly dir: string,
    private readonly floorMb: number,
  ) {}

  async check(now = Date.now()): Promise<DiskSpace> {
    if (this.#cached && now - this.#cached.at < 1000) return this.#cached.space;
    const stats = await statfs(this.dir);
    const freeMb = Math.floor((stats.bavail * stats.bsize) / (1024 * 1024));
    const space = { ok: freeMb >= this.floorMb, freeMb, floorMb: this.floorMb };
    this.#cached = { at: now, space };
    return space;
  }
}

export function diskWarning(space: DiskSpace): string {
  return `The recording disk is below its floor: ${space.freeMb} MB free (floor ${space.floorMb} MB). New takes are refused; takes already recording carry on.`;
}
