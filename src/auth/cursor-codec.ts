import { createHmac, timingSafeEqual } from 'node:crypto';
import { badUserInput } from '../errors/gateway-errors.js';

/**
 * Opaque pagination cursors that cannot be forged or carried elsewhere: the position is signed
 * together with the client id and the query's filter, so a cursor works only for the principal
 * and the filter it was issued for (a foreign cursor cannot move anyone outside their scope).
 */
export class CursorCodec {
  constructor(private readonly key: Buffer) {}

  encode(clientId: string, filterKey: string, position: string): string {
    const body = Buffer.from(JSON.stringify({ p: position })).toString('base64url');
    return `${body}.${this.mac(clientId, filterKey, body)}`;
  }

  /** The position, or BAD_USER_INPUT for a cursor not issued to this client for this filter. */
  decode(clientId: string, filterKey: string, cursor: string): string {
    const [body, mac, extra] = cursor.split('.');
    if (body && mac && extra === undefined) {
      const expected = Buffer.from(this.mac(clientId, filterKey, body));
      const given = Buffer.from(mac);
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
          p?: unknown;
        };
        if (typeof parsed.p === 'string') return parsed.p;
      }
    }
    throw badUserInput('invalid cursor: use the endCursor of the previous page of the same query');
  }

  private mac(clientId: string, filterKey: string, body: string): string {
    return createHmac('sha256', this.key)
      .update(`${clientId}\n${filterKey}\n${body}`)
      .digest('base64url');
  }
}
