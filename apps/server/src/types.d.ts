import type { AuthContext } from './services/auth.js';
import type { RouteEntry } from './lib/route-table.js';

declare global {
  namespace Express {
    interface Request {
      /** Accepted from X-Request-Id or generated; echoed and put in every problem document. */
      requestId: string;
      /** The contract route this request matched. */
      apiRoute?: RouteEntry;
      auth?: AuthContext;
    }
  }
}
export {};
