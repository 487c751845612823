import type { RequestHandler } from 'express';

/** nginx's status for a client that closed the connection before the answer; never sent. */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * Marks the response 499 when the client left before it was delivered, so the request log
 * and the access log line say so: the response never finished, or it "finished" into a
 * connection already gone (an error handler answering 400 to a body cut short). Node
 * destroys a request with an ECONNRESET error when its connection closes before the
 * response has finished. Mounted before the loggers, so it decides before they read.
 */
export const clientGone: RequestHandler = (req, res, next) => {
  let decided = false;
  const decide = () => {
    if (decided) return;
    decided = true;
    const reset = (req.errored as NodeJS.ErrnoException | null)?.code === 'ECONNRESET';
    if (!res.writableFinished || reset) res.statusCode = CLIENT_CLOSED_REQUEST;
  };
  res.once('finish', decide);
  res.once('close', decide);
  next();
};
