import net from 'node:net';

/*
 * A tiny TCP proxy in front of a test redis-server, to simulate a network partition: while partitioned, bytes in
 * both directions are held back (as TCP would keep retransmitting them), and delivered in order once healed.
 */

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Holds back every byte in both directions, on existing and new connections. */
  partition(): void;
  /** Delivers what was held back and forwards again. */
  heal(): void;
  close(): Promise<void>;
}

interface Pipe {
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  readonly held: { toUpstream: Buffer[]; toClient: Buffer[] };
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let partitioned = false;
  const pipes = new Set<Pipe>();

  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pipe: Pipe = { client, upstream, held: { toUpstream: [], toClient: [] } };
    pipes.add(pipe);
    client.on('data', (chunk) => (partitioned ? pipe.held.toUpstream.push(chunk) : upstream.write(chunk)));
    upstream.on('data', (chunk) => (partitioned ? pipe.held.toClient.push(chunk) : client.write(chunk)));
    const closeBoth = (): void => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', closeBoth).on('error', closeBoth);
    upstream.on('close', closeBoth).on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    partition: () => {
      partitioned = true;
    },
    heal: () => {
      partitioned = false;
      for (const { client, upstream, held } of pipes) {
        for (const chunk of held.toUpstream.splice(0)) upstream.write(chunk);
        for (const chunk of held.toClient.splice(0)) client.write(chunk);
      }
    },
    close: async () => {
      for (const { client, upstream } of pipes) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
