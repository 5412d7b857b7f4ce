/**
 * A permission request: the agent's CLI asks whether one tool use may go ahead (through Beacon's permission
 * server), and a person answers on one of the surfaces. Pure data, shared by the core, the shells, the renderer
 * and Mentu's bridge_permission_requests table (docs/permissions.md).
 */

/** Where an answer came from. no_answer: the wait ran out; beacon: the command ended, or an earlier "allow for this command". */
export const PERMISSION_SURFACES = ['tray', 'dashboard', 'cli', 'mentu'] as const;
export type PermissionSurface = (typeof PERMISSION_SURFACES)[number];
export type PermissionAnswerSource = PermissionSurface | 'no_answer' | 'beacon';

/** pending → allowed | denied (an answer, or no answer in time) | void (the command ended first; nothing was decided). */
export type PermissionRequestState = 'pending' | 'allowed' | 'denied' | 'void';

export interface PermissionAnswer {
  decision: 'allow' | 'deny';
  /** once: this tool use; command: this tool for the rest of the command (allow only). */
  scope: 'once' | 'command';
  via: PermissionAnswerSource;
  /** Who: the person's name on this machine, a Mentu user id, or null (no answer, Beacon). */
  by: string | null;
  at: string;
  /** The person's words to the model with a denial, or Beacon's reason. */
  message: string | null;
}

export interface PermissionRequestView {
  id: string;
  commandId: string;
  workspaceId: string | null;
  /** The tool the CLI wants to use: Write, Edit, Bash, WebFetch, mcp__… */
  tool: string;
  /** One line: the file, the command, the URL. */
  summary: string;
  /** More to read before answering: the diff of a Write or Edit, a whole Bash command, the input as JSON. Bounded. */
  detail: string | null;
  toolUseId: string | null;
  askedAt: string;
  /** When a request nobody answers is denied. */
  deadlineAt: string;
  state: PermissionRequestState;
  answer: PermissionAnswer | null;
}

/** What a surface sends: allow once, allow this tool for the rest of the command, or deny (with words for the model). */
export interface PermissionAnswerInput {
  decision: 'allow' | 'deny';
  scope?: 'once' | 'command';
  message?: string;
}

/** The requests of one run, as the run summary keeps them once the command ends. */
export interface PermissionRequestsSummary {
  asked: number;
  allowed: number;
  denied: number;
  /** Denied because nobody answered in time. */
  unanswered: number;
  /** The denied ones (bounded), so a run that did less than asked says why. */
  denials: { tool: string; summary: string; via: PermissionAnswerSource; by: string | null; message: string | null; toolUseId: string | null }[];
}

/** Words for who answered: "the dashboard", "Mentu (user …)", "no answer". */
export function describeAnswerSource(answer: Pick<PermissionAnswer, 'via' | 'by'>): string {
  switch (answer.via) {
    case 'tray':
      return 'the tray window';
    case 'dashboard':
      return 'the dashboard';
    case 'cli':
      return 'the CLI';
    case 'mentu':
      return answer.by ? `Mentu (user ${answer.by})` : 'Mentu';
    case 'no_answer':
      return 'no answer';
    case 'beacon':
      return 'Beacon';
  }
}

/** "1 request denied (no answer)", "2 requests denied (1 by the dashboard, 1 no answer)", or null when none was. */
export function permissionNote(summary: PermissionRequestsSummary | null | undefined): string | null {
  if (!summary || summary.denied === 0) return null;
  const counts = new Map<string, number>();
  for (const denial of summary.denials) {
    const who = denial.via === 'no_answer' ? 'no answer' : `by ${describeAnswerSource(denial)}`;
    counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  const listed = [...counts.entries()].map(([who, count]) => (counts.size > 1 ? `${count} ${who}` : who)).join(', ');
  const what = summary.denials.slice(0, 3).map((denial) => `${denial.tool} ${denial.summary}`).join('; ');
  const more = summary.denied > 3 ? `; and ${summary.denied - 3} more` : '';
  return `${summary.denied} request${summary.denied === 1 ? '' : 's'} denied (${listed}): ${what}${more}`;
}
