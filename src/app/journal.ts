/**
 * What a run created, in order, each with its undo: rollback on failure or Ctrl-C removes exactly
 * what this run created (instances first, then shared resources), newest first.
 */
export interface JournalEntry {
  kind: 'instances' | 'tenable-record' | 'security-group' | 'key-pair' | 'iam' | 'ssm-parameter' | 'file';
  id: string;
  undo: () => Promise<void>;
}

export class Journal {
  readonly entries: JournalEntry[] = [];

  record(entry: JournalEntry): void {
    this.entries.push(entry);
  }

  created(): Array<{ kind: string; id: string }> {
    return this.entries.map(({ kind, id }) => ({ kind, id }));
  }

  /** Undoes everything newest first; keeps going past failures and returns them. */
  async rollback(onStep?: (entry: JournalEntry, error?: unknown) => void): Promise<Array<{ entry: JournalEntry; error: unknown }>> {
    const failures: Array<{ entry: JournalEntry; error: unknown }> = [];
    while (this.entries.length > 0) {
      const entry = this.entries.pop()!;
      try {
        await entry.undo();
        onStep?.(entry);
      } catch (error) {
        failures.push({ entry, error });
        onStep?.(entry, error);
      }
    }
    return failures;
  }
}
