import { z } from 'zod';

/** Join codes avoid characters that read alike on a projector: no 0/O, 1/I/L. */
export const JOIN_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const JOIN_CODE_LENGTH = 6;

export const joinCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(new RegExp(`^[${JOIN_CODE_ALPHABET}]{${JOIN_CODE_LENGTH}}$`), 'not a join code');

/** Ids are url-safe random strings made by the server; reject anything else at the edge. */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'not an id');
