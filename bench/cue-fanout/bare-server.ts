/**
 * The baseline for bench/cue-fanout: a bare socket.io server that broadcasts whatever payload
 * its trigger socket sends, to every other client, with nothing in between — through the same
 * Redis adapter showrec runs (`REDIS_URL`), so several of them broadcast to each other's clients.
 */
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';

const httpServer = createServer();
const io = new Server(httpServer, { serveClient: false });
const pub = new Redis(process.env.REDIS_URL!);
io.adapter(createAdapter(pub, pub.duplicate()));
io.on('connection', (socket) => {
  socket.on('go', (payload: unknown, ack: () => void) => {
    socket.broadcast.emit('show:state', payload);
    ack();
  });
});
httpServer.listen(0, '127.0.0.1', () => {
  const address = httpServer.address();
  process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
});
