import type { RequestHandler, Response } from 'express';

/** nginx's status for a client that closed the connection before the answer; never sent. */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * Marks the response 499 when the client left before it was delivered, so the request log
 * and the access log line say so: either the connection closed before the response was
 * written, or the response was "finished" into a socket already destroyed (an error handler
 * answering 400 to a body cut short). Mounted before the loggers, so its listeners run first.
 */
export const clientGone: RequestHandler = (req, res, next) => {
  const mark = function (this: Response) {
    if (this.statusCode === CLIENT_CLOSED_REQUEST) return;
    if (!this.writableFinished || req.socket.destroyed) this.statusCode = CLIENT_CLOSED_REQUEST;
  };
  res.once('finish', mark);
  res.once('close', mark);
  next();
};
