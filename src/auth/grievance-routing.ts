/**
 * Who handles a grievance (sanggah) — this is the place. A grievance goes to the local government
 * of the region it is routed to (the person's household's region): a local government whose region
 * scope names that regency, or a finer region of it, sees it from the day it is opened; one whose
 * scope names the province sees it once it is escalated (its due date passed while it was still
 * open). A scope of the whole country (`*`) is no local government's: it sees none.
 */
export const HANDLED_FROM_OPENING_MIN_DIGITS = 4;
export const ESCALATED_TO_DIGITS = 2;

/** How many days a region has to handle a grievance before it is escalated to the province. */
export const GRIEVANCE_DUE_DAYS = 30;

/** The region-code prefixes through which a local government sees grievances. */
export interface GrievanceRoutes {
  /** Regency or finer: every grievance routed within them. */
  fromOpening: string[];
  /** Provinces: the escalated grievances routed within them. */
  onceEscalated: string[];
}

export function grievanceRoutes(regionScope: readonly string[]): GrievanceRoutes {
  const codes = regionScope.filter((p) => /^\d{2,10}$/.test(p));
  return {
    fromOpening: codes.filter((p) => p.length >= HANDLED_FROM_OPENING_MIN_DIGITS),
    onceEscalated: codes.filter((p) => p.length === ESCALATED_TO_DIGITS),
  };
}
