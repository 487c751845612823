import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Request } from 'express';
import { requestOrigin } from '../lib/origin.js';
import type { Services } from '../services/index.js';
import { NO_STORE } from '../services/oauth/errors.js';

const s = initServer();

const oauthRequest = (req: Request, body: Record<string, unknown>) => ({ authorization: req.get('authorization'), body });

export const tokenRouter = ({ oauth }: Services) =>
  s.router(contract.token, {
    issue: async ({ req, res, body }) => {
      const token = await oauth.issueToken(oauthRequest(req, body));
      res.set(NO_STORE);
      return { status: 200, body: token };
    },
    introspect: async ({ req, res, body }) => {
      const result = await oauth.introspect(oauthRequest(req, body), requestOrigin(req));
      res.set(NO_STORE);
      return { status: 200, body: result };
    },
    revoke: async ({ req, res, body }) => {
      await oauth.revoke(oauthRequest(req, body));
      res.set(NO_STORE);
      return { status: 200, body: {} };
    },
  });
