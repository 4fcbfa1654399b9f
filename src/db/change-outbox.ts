/**
 * The one advisory lock every writer of `change_event` holds, transaction-scoped, while it
 * inserts: `id` then grows in commit order, so a reader paging by id (`changes(after)`, the
 * webhook dispatcher) never passes an event that commits later with a smaller id.
 */
export const CHANGE_OUTBOX_LOCK = 0x64746b63; // "dtkc"
