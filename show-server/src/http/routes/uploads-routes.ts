import express, { Router, type Request } from 'express';
import { idSchema } from '@showrec/protocol';
import { z } from 'zod';
import type { UploadService } from '../../capture/upload-service.js';
import { bearerToken } from '../auth.js';

const offsetSchema = z.object({
  offset: z
    .string()
    .regex(/^\d{1,15}$/, 'offset is a byte count')
    .transform(Number),
});

/**
 * A phone's upload of its own copy of a take, authorized by its device token:
 * GET where to resume, PUT a chunk at an offset (raw bytes), POST complete. The token is checked
 * before the body is read: a stranger's chunk is refused without being buffered.
 */
export function uploadsRoutes(uploads: UploadService, chunkLimitBytes: number): Router {
  const router = Router();
  const takeId = (req: Request) => idSchema.parse(req.params.takeId);

  router.get('/api/uploads/:takeId', async (req, res) => {
    res.json(await uploads.progress(takeId(req), bearerToken(req)));
  });

  router.put(
    '/api/uploads/:takeId',
    async (req, _res, next) => {
      await uploads.authorize(takeId(req), bearerToken(req));
      next();
    },
    express.raw({ type: 'application/octet-stream', limit: chunkLimitBytes }),
    async (req, res) => {
      const { offset } = offsetSchema.parse(req.query);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        res.status(400).json({ error: 'send the chunk as application/octet-stream' });
        return;
      }
      res.json(await uploads.append(takeId(req), bearerToken(req), offset, req.body));
    },
  );

  /** After the show: the phone offers its full-quality copy of a take; answers where to start. */
  router.post('/api/uploads/:takeId/offer', async (req, res) => {
    res.json(await uploads.offer(takeId(req), bearerToken(req)));
  });

  router.post('/api/uploads/:takeId/complete', async (req, res) => {
    res.status(202).json(await uploads.complete(takeId(req), bearerToken(req)));
  });

  return router;
}
