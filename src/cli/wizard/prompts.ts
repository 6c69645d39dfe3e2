import type { Writable } from 'node:stream';
import { InterruptedError } from '../../core/errors.js';

/**
 * The prompts a wizard step may ask. Steps get this adapter injected, so unit tests drive them with
 * @inquirer/testing (or scripted answers) and the CLI with the real @inquirer/prompts on stderr.
 * Every prompt has an id (stable, e.g. `region`) that tests use to answer it.
 */
export type Validate<T> = (value: T) => true | string | Promise<true | string>;

export interface Choice<V> {
  value: V;
  name: string;
  description?: string;
  /** Shown once answered (long names make long answer lines). */
  short?: string;
  disabled?: boolean | string;
  checked?: boolean;
}

export interface InputConfig {
  message: string;
  default?: string;
  validate?: Validate<string>;
}
export interface PasswordConfig {
  message: string;
  validate?: Validate<string>;
}
export interface ConfirmConfig {
  message: string;
  default?: boolean;
}
export interface SelectConfig<V> {
  message: string;
  choices: Array<Choice<V>>;
  default?: V;
}
export interface CheckboxConfig<V> {
  message: string;
  choices: Array<Choice<V>>;
}

export interface Prompts {
  input(id: string, config: InputConfig): Promise<string>;
  /** Masked with '*' as it is typed; the value never reaches the screen. */
  password(id: string, config: PasswordConfig): Promise<string>;
  confirm(id: string, config: ConfirmConfig): Promise<boolean>;
  select<V>(id: string, config: SelectConfig<V>): Promise<V>;
  checkbox<V>(id: string, config: CheckboxConfig<V>): Promise<V[]>;
}

/** inquirer throws ExitPromptError on Ctrl-C inside a prompt: that is an interrupt (exit 130). */
export function mapPromptError(e: unknown): unknown {
  const name = (e as Error | undefined)?.name;
  if (name === 'ExitPromptError' || name === 'AbortPromptError') return new InterruptedError('Interrupted; nothing was created and nothing was written.');
  return e;
}

async function guard<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (e) {
    throw mapPromptError(e);
  }
}

/** The real prompts (@inquirer/prompts, loaded on first use), drawn on stderr so stdout stays data. */
export function inquirerPrompts(output: Writable = process.stderr): Prompts {
  const ctx = { output };
  const load = () => import('@inquirer/prompts');
  return {
    input: (_id, c) => guard(async () => (await load()).input({ ...c, theme: { validationFailureMode: 'keep' } }, ctx)),
    password: (_id, c) => guard(async () => (await load()).password({ ...c, mask: '*' }, ctx)),
    confirm: (_id, c) => guard(async () => (await load()).confirm(c, ctx)),
    select: <V>(_id: string, c: SelectConfig<V>) => guard(async () => (await load()).select<V>({ ...c, pageSize: 12 }, ctx)),
    checkbox: <V>(_id: string, c: CheckboxConfig<V>) => guard(async () => (await load()).checkbox<V>({ ...c, pageSize: 12 }, ctx)),
  };
}
