import { isDeepStrictEqual } from 'node:util';
import { timedRequest } from './load.js';
import type { Contender, Server } from './servers.js';
import type { Workload } from './workloads.js';

/** A NIK as the masked answers show it: the first six and last four digits. */
const nikKey = (nik: string) => `${nik.slice(0, 6)}…${nik.slice(-4)}`;

interface Member {
  nik: string;
  name: string;
  programs?: string[] | null;
  programRecipientsByNik?: { nodes: Array<{ program: string }> };
}
interface Household {
  id?: string;
  householdId?: string;
  address: string | null;
  decile: number | null;
  members?: Member[];
  membersByHouseholdId?: { nodes: Member[] };
}
interface Page {
  totalCount: number;
  nodes?: Household[];
  edges?: Array<{ node: Household }>;
}

/** Each contender's answer, reduced to what all of them answer alike. */
function normalise(workload: Workload['key'], data: Record<string, unknown>): unknown {
  if (workload === 'person') {
    const p = (data.person ?? data.memberByNik) as {
      nik: string;
      name: string;
      birthDate: string;
    } | null;
    return p && { nik: nikKey(p.nik), name: p.name, birthDate: String(p.birthDate).slice(0, 10) };
  }
  if (workload === 'eligibility') {
    const e = data.eligibility as { eligible: boolean; reason: string };
    return { eligible: e.eligible, reason: e.reason };
  }
  const page = (data.households ?? data.allHouseholds) as Page;
  const households = page.nodes ?? page.edges!.map((e) => e.node);
  return {
    totalCount: page.totalCount,
    households: households.map((h) => ({
      id: h.id ?? h.householdId,
      address: h.address,
      decile: h.decile,
      members: (h.members ?? h.membersByHouseholdId!.nodes).map((m) => ({
        nik: nikKey(m.nik),
        name: m.name,
        programs: m.programs ?? m.programRecipientsByNik!.nodes.map((r) => r.program),
      })),
    })),
  };
}

/**
 * Sends a few of the workload's requests to every contender and fails unless all answer the same
 * (up to the masking of the NIK): the contenders must do the same work before their speed means
 * anything. Returns a short description of what was compared.
 */
export async function checkSameAnswers(
  workload: Workload,
  servers: Partial<Record<Contender, Server>>,
): Promise<string> {
  const samples = [0, 1, 7];
  for (const i of samples) {
    const answers: Array<[Contender, unknown]> = [];
    for (const [contender, request] of Object.entries(workload.requests) as Array<
      [Contender, NonNullable<Workload['requests'][Contender]>]
    >) {
      const { data } = await timedRequest<Record<string, unknown>>(
        servers[contender]!.port,
        { query: request.query, variables: request.variables(i) },
        request.headers,
      ).catch((error: unknown) => {
        throw new Error(`${workload.key}, ${contender}: ${String(error)}`);
      });
      answers.push([contender, normalise(workload.key, data)]);
    }
    const [first, ...rest] = answers;
    for (const [contender, answer] of rest) {
      if (!isDeepStrictEqual(answer, first![1])) {
        throw new Error(
          `${workload.key}: ${contender} answers otherwise than ${first![0]}:\n${JSON.stringify(answer).slice(0, 600)}\n${JSON.stringify(first![1]).slice(0, 600)}`,
        );
      }
    }
    if (answers.some(([, a]) => a === null)) {
      throw new Error(`${workload.key}: no answer for sample ${i}`);
    }
  }
  return `${samples.length} requests compared`;
}
