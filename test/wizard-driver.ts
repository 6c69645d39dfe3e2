import { checkbox, confirm, input, password, select } from '@inquirer/prompts';
import { render } from '@inquirer/testing';
import { mapPromptError, type Choice, type Prompts } from '../src/cli/wizard/prompts.js';

/** What a rendered prompt lets a test do (from @inquirer/testing). */
export interface PromptHandle {
  type(text: string): void;
  keypress(key: string | { name?: string; ctrl?: boolean }): void;
  screen(): string;
  /** Lets async validation finish. */
  settle(): Promise<void>;
}

/** An answer: accept the default, type/pick a value, or drive the prompt by hand. */
export type Answer = typeof ENTER | string | boolean | string[] | ((p: PromptHandle) => Promise<void> | void);
export const ENTER = Symbol('enter');

/** The same prompt asked several times (a re-ask after a refusal, an edit): one answer each time. */
export interface Seq {
  seq: Answer[];
}
export const seq = (...answers: Answer[]): Seq => ({ seq: answers });
const isSeq = (v: unknown): v is Seq => typeof v === 'object' && v !== null && !Array.isArray(v) && 'seq' in v;

const settle = () => new Promise<void>((r) => setTimeout(r, 20));

/**
 * A Prompts adapter that renders the real @inquirer/prompts with @inquirer/testing and answers from
 * a script keyed by prompt id (a list answers the same id asked again). An unscripted prompt fails.
 */
export function drivenPrompts(script: Record<string, Answer | Seq>) {
  const queues = new Map(Object.entries(script).map(([k, v]) => [k, isSeq(v) ? [...v.seq] : [v as Answer]]));
  const asked: string[] = [];
  const screens: Record<string, string> = {};
  const next = (id: string, message: string): Answer => {
    const q = queues.get(id);
    if (!q || q.length === 0) throw new Error(`unexpected prompt "${id}": ${message}`);
    asked.push(id);
    return q.shift()!;
  };

  async function drive<T>(id: string, message: string, rendered: Awaited<ReturnType<typeof render>>, how: (a: Answer, h: PromptHandle) => Promise<void> | void): Promise<T> {
    const h: PromptHandle = { type: (t) => rendered.events.type(t), keypress: (k) => rendered.events.keypress(k), screen: () => rendered.getScreen(), settle };
    // Let the prompt finish mounting (its keypress handlers) before answering.
    await settle();
    screens[id] = rendered.getScreen();
    const answer = next(id, message);
    rendered.answer.catch(() => undefined);
    if (typeof answer === 'function') await answer(h);
    else await how(answer, h);
    try {
      return (await rendered.answer) as T;
    } catch (e) {
      throw mapPromptError(e);
    }
  }

  const typeEnter = (a: Answer, h: PromptHandle) => {
    if (typeof a === 'string' && a) h.type(a);
    h.keypress('enter');
  };

  const prompts: Prompts = {
    input: async (id, c) => drive(id, c.message, await render(input, { ...c, theme: { validationFailureMode: 'keep' } }), typeEnter),
    password: async (id, c) => drive(id, c.message, await render(password, { ...c, mask: '*' }), typeEnter),
    confirm: async (id, c) =>
      drive(id, c.message, await render(confirm, c), (a, h) => {
        if (typeof a === 'boolean') h.type(a ? 'y' : 'n');
        h.keypress('enter');
      }),
    select: async <V>(id: string, c: { message: string; choices: Array<Choice<V>>; default?: V }) =>
      drive<V>(id, c.message, await render(select<V>, c), (a, h) => {
        if (a !== ENTER) {
          const nav = c.choices.filter((x) => !x.disabled);
          const from = Math.max(0, nav.findIndex((x) => x.value === c.default));
          const to = nav.findIndex((x) => x.value === a);
          if (to < 0) throw new Error(`select "${id}" has no choice ${String(a)}`);
          for (let i = from; i < to; i++) h.keypress('down');
          for (let i = from; i > to; i--) h.keypress('up');
        }
        h.keypress('enter');
      }),
    checkbox: async <V>(id: string, c: { message: string; choices: Array<Choice<V>> }) =>
      drive<V[]>(id, c.message, await render(checkbox<V>, c), (a, h) => {
        if (a !== ENTER) {
          const want = new Set(a as unknown as V[]);
          for (const x of c.choices.filter((x) => !x.disabled)) {
            if (Boolean(x.checked) !== want.has(x.value)) h.keypress('space');
            h.keypress('down');
          }
        }
        h.keypress('enter');
      }),
  };
  return { prompts, asked, screens, remaining: () => [...queues].filter(([, q]) => q.length > 0).map(([k]) => k) };
}
