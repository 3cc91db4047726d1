// A minimal Kafka broker for the security tests: just enough of the wire protocol (ApiVersions,
// SaslHandshake, SaslAuthenticate, Metadata v0) to check that a client negotiates TLS and SASL
// the way a real broker expects. librdkafka's mock cluster (2.0.2, the one on this machine)
// answers neither TLS nor SaslHandshake, so this stands in for a broker's security layer only.
// SASL verification is written from the RFCs (4616 PLAIN, 5802/7677 SCRAM), independently of
// the clients under test: a client that computes a wrong SCRAM proof is refused.
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type TlsOptions } from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files made with Debian's openssl at test time (EC P-256, valid one day). */
export interface TestCertificates {
  readonly caFile: string;
  /** A second, unrelated CA: trusting it instead of caFile must fail. */
  readonly otherCaFile: string;
  /** The broker's certificate, for DNS:localhost and IP:127.0.0.1, signed by caFile. */
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** A client certificate (CN pipewatch-client, clientAuth) signed by caFile. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

export function makeCertificates(dir: string): TestCertificates {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl(
      'req',
      '-x509',
      ...key,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.pem`,
      '-days',
      '1',
      '-subj',
      `/CN=pipewatch-test-${ca}`,
    );
  }
  const leaf = (name: string, cn: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
    openssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  };
  leaf(
    'server',
    'localhost',
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth',
  );
  leaf('client', 'pipewatch-client', 'extendedKeyUsage=clientAuth');
  return {
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    serverCertFile: join(dir, 'server.pem'),
    serverKeyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.pem'),
    clientKeyFile: join(dir, 'client.key'),
  };
}

export type Mechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface BrokerEvents {
  /** Every TLS handshake: the SNI the client sent and the CN of its certificate (mTLS). */
  readonly handshakes: { servername: string | false | null; clientCertCn: string | undefined }[];
  /** API keys of every request, in arrival order, over all connections. */
  readonly apiKeys: number[];
  /** Mechanisms clients asked for in SaslHandshake. */
  readonly handshakeMechanisms: string[];
  /** Users that proved their password, with the mechanism. */
  readonly authenticated: { user: string; mechanism: Mechanism }[];
  /** Authentication attempts refused (wrong password, unknown user). */
  readonly refused: { user: string; mechanism: Mechanism }[];
  /** Handshakes the server refused (a client that did not trust it, or sent no certificate). */
  readonly tlsErrors: string[];
}

export interface SecurityBroker extends BrokerEvents {
  readonly port: number;
  /** `localhost:port`: a host name, so clients send SNI and check it against the certificate. */
  readonly address: string;
  close(): Promise<void>;
}

export interface SecurityBrokerOptions {
  /** Serve TLS with these options (key, cert, ca, requestCert); plaintext when absent. */
  readonly tls?: TlsOptions;
  /** SASL users and the mechanism the broker enables; no SASL when absent. */
  readonly sasl?: { readonly mechanism: Mechanism; readonly users: Record<string, string> };
}

const api = { metadata: 3, saslHandshake: 17, apiVersions: 18, saslAuthenticate: 36 } as const;
const errors = { none: 0, unsupportedSaslMechanism: 33, saslAuthenticationFailed: 58 } as const;

class Writer {
  private readonly parts: Buffer[] = [];
  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    this.parts.push(b);
    return this;
  }
  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
    return this;
  }
  int64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    this.parts.push(b);
    return this;
  }
  uvarint(v: number): this {
    const bytes: number[] = [];
    let n = v;
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    bytes.push(n);
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8');
    this.int16(b.length);
    this.parts.push(b);
    return this;
  }
  bytes(b: Buffer): this {
    this.int32(b.length);
    this.parts.push(b);
    return this;
  }
  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

interface Request {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  body: Buffer;
}

function parseRequest(frame: Buffer): Request {
  const apiKey = frame.readInt16BE(0);
  const apiVersion = frame.readInt16BE(2);
  const correlationId = frame.readInt32BE(4);
  const clientIdLength = frame.readInt16BE(8);
  let at = 10 + Math.max(0, clientIdLength);
  // Flexible request headers (v2) end in tagged fields: here only ApiVersions v3.
  if (apiKey === api.apiVersions && apiVersion >= 3) at += 1;
  return { apiKey, apiVersion, correlationId, body: frame.subarray(at) };
}

function readString(body: Buffer, at: number): string {
  const length = body.readInt16BE(at);
  return body.toString('utf8', at + 2, at + 2 + length);
}

/** The versions this broker speaks; anything else is never answered. */
const supported: readonly [number, number, number][] = [
  [api.metadata, 0, 0],
  [api.saslHandshake, 0, 1],
  [api.apiVersions, 0, 3],
  [api.saslAuthenticate, 0, 1],
];

function apiVersionsBody(version: number): Buffer {
  const w = new Writer().int16(errors.none);
  if (version >= 3) {
    w.uvarint(supported.length + 1);
    for (const [key, min, max] of supported) w.int16(key).int16(min).int16(max).uvarint(0);
    return w.int32(0).uvarint(0).done();
  }
  w.int32(supported.length);
  for (const [key, min, max] of supported) w.int16(key).int16(min).int16(max);
  if (version >= 1) w.int32(0);
  return w.done();
}

const hashes: Record<Exclude<Mechanism, 'PLAIN'>, { name: string; size: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', size: 32 },
  'SCRAM-SHA-512': { name: 'sha512', size: 64 },
};

/** One connection's SASL exchange, server side. */
class SaslSession {
  private scram:
    { user: string; clientFirstBare: string; serverFirst: string; nonce: string } | undefined;
  constructor(
    private readonly mechanism: Mechanism,
    private readonly users: Record<string, string>,
    private readonly events: BrokerEvents,
  ) {}

  /** Returns [error code, reply bytes]. */
  step(token: Buffer): [number, Buffer] {
    if (this.mechanism === 'PLAIN') {
      const [, user = '', password = ''] = token.toString('utf8').split('\0');
      return this.verdict(user, this.users[user] === password && user in this.users);
    }
    const text = token.toString('utf8');
    if (!this.scram) {
      // client-first-message: gs2 header "n,," then "n=user,r=nonce"
      const bare = text.slice(text.indexOf(',', text.indexOf(',') + 1) + 1);
      const fields: Record<string, string> = Object.fromEntries(
        bare.split(',').map((f): [string, string] => [f.slice(0, 1), f.slice(2)]),
      );
      const user = (fields.n ?? '').replace(/=2C/g, ',').replace(/=3D/g, '=');
      const nonce = `${fields.r ?? ''}${randomBytes(12).toString('base64')}`;
      const salt = createHash('sha256').update(`salt:${user}`).digest().subarray(0, 16);
      const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=4096`;
      this.scram = { user, clientFirstBare: bare, serverFirst, nonce };
      return [errors.none, Buffer.from(serverFirst)];
    }
    const { user, clientFirstBare, serverFirst, nonce } = this.scram;
    const hash = hashes[this.mechanism];
    const withoutProof = text.slice(0, text.lastIndexOf(',p='));
    const proof = Buffer.from(text.slice(text.lastIndexOf(',p=') + 3), 'base64');
    const password = this.users[user];
    // Apache Kafka's ScramSaslServer accepts a final nonce that *ends with* the server's (not only
    // an equal one, as RFC 5802 says): librdkafka 2.0.2 sends client nonce + server nonce, and
    // the server nonce already starts with the client's. Same rule here, as a broker has it.
    const finalNonce = /(?:^|,)r=([^,]*)/.exec(withoutProof)?.[1] ?? '';
    if (password === undefined || !finalNonce.endsWith(nonce)) return this.verdict(user, false);
    const salt = createHash('sha256').update(`salt:${user}`).digest().subarray(0, 16);
    const salted = pbkdf2Sync(password, salt, 4096, hash.size, hash.name);
    const hmac = (key: Buffer, data: string) => createHmac(hash.name, key).update(data).digest();
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash(hash.name).update(clientKey).digest();
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const expected = Buffer.from(clientKey.map((byte, i) => byte ^ (signature[i] ?? 0)));
    const ok = proof.length === expected.length && timingSafeEqual(proof, expected);
    if (!ok) return this.verdict(user, false);
    const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    this.events.authenticated.push({ user, mechanism: this.mechanism });
    return [errors.none, Buffer.from(`v=${serverSignature.toString('base64')}`)];
  }

  private verdict(user: string, ok: boolean): [number, Buffer] {
    if (ok) {
      this.events.authenticated.push({ user, mechanism: this.mechanism });
      return [errors.none, Buffer.alloc(0)];
    }
    this.events.refused.push({ user, mechanism: this.mechanism });
    return [errors.saslAuthenticationFailed, Buffer.alloc(0)];
  }
}

export async function startSecurityBroker(options: SecurityBrokerOptions): Promise<SecurityBroker> {
  const events: BrokerEvents = {
    handshakes: [],
    apiKeys: [],
    handshakeMechanisms: [],
    authenticated: [],
    refused: [],
    tlsErrors: [],
  };
  const sockets = new Set<Socket>();
  let port = 0;

  const serve = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    const session = options.sasl
      ? new SaslSession(options.sasl.mechanism, options.sasl.users, events)
      : undefined;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const reply = answer(parseRequest(frame), session);
        if (reply) socket.write(Buffer.concat([new Writer().int32(reply.length).done(), reply]));
      }
    });
  };

  const answer = (request: Request, session: SaslSession | undefined): Buffer | undefined => {
    events.apiKeys.push(request.apiKey);
    const header = new Writer().int32(request.correlationId).done();
    switch (request.apiKey) {
      case api.apiVersions:
        return Buffer.concat([header, apiVersionsBody(request.apiVersion)]);
      case api.saslHandshake: {
        const mechanism = readString(request.body, 0);
        events.handshakeMechanisms.push(mechanism);
        const enabled = options.sasl?.mechanism;
        const w = new Writer().int16(
          mechanism === enabled ? errors.none : errors.unsupportedSaslMechanism,
        );
        w.int32(enabled ? 1 : 0);
        if (enabled) w.string(enabled);
        return Buffer.concat([header, w.done()]);
      }
      case api.saslAuthenticate: {
        const token = request.body.subarray(4, 4 + request.body.readInt32BE(0));
        const [code, bytes] = session
          ? session.step(token)
          : [errors.saslAuthenticationFailed, Buffer.alloc(0)];
        const w = new Writer()
          .int16(code)
          .string(code === errors.none ? null : 'Authentication failed: invalid credentials')
          .bytes(bytes);
        if (request.apiVersion >= 1) w.int64(0n);
        return Buffer.concat([header, w.done()]);
      }
      case api.metadata: {
        const w = new Writer().int32(1).int32(1).string('localhost').int32(port).int32(0);
        return Buffer.concat([header, w.done()]);
      }
      default:
        return undefined; // not spoken here: the client times out on it, which no test waits for
    }
  };

  let server: Server;
  if (options.tls) {
    const tlsServer = createTlsServer(options.tls, (socket: TLSSocket) => {
      const cert = socket.getPeerCertificate();
      events.handshakes.push({
        servername: socket.servername,
        clientCertCn: cert && typeof cert.subject?.CN === 'string' ? cert.subject.CN : undefined,
      });
      serve(socket);
    });
    tlsServer.on('tlsClientError', (error) => events.tlsErrors.push(error.message));
    server = tlsServer;
  } else {
    server = createTcpServer(serve);
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return {
    ...events,
    port,
    address: `localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
