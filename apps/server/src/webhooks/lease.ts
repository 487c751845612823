/**
 * How long a claim on an attempt holds: twice the request timeout plus a margin. Within it
 * the claiming worker may still send the attempt (it starts a request only while the whole
 * request fits) and log it; once it has run out, the attempt is no longer in flight: another
 * job may take the claim over, and redeliver or recover may reopen the message.
 */
export const claimLeaseSeconds = (timeoutMs: number): number => Math.ceil((timeoutMs * 2) / 1000) + 5;
