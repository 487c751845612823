/**
 * How long a claim on an attempt holds: twice the request timeout plus a margin. Within it
 * the claiming worker may still send the attempt (it starts a request only while the whole
 * request fits) and log it; once it has run out, the attempt is no longer in flight: another
 * job may take the claim over, and redeliver or recover may reopen the message.
 */
export const claimLeaseSeconds = (timeoutMs: number): number => Math.ceil((timeoutMs * 2) / 1000) + 5;

/**
 * How long after its claim was asked for a request may still start: it must finish
 * (timeout included) within the lease, counted from before the claim was asked for
 * (PostgreSQL stamps it later), less a second.
 */
export const startWithinMs = (leaseSeconds: number, timeoutMs: number): number => leaseSeconds * 1000 - timeoutMs - 1000;

/** When a claim made at `claimedAt` is another job's to take over. */
export const afterLease = (claimedAt: Date, leaseSeconds: number): Date => new Date(claimedAt.getTime() + (leaseSeconds + 1) * 1000);
