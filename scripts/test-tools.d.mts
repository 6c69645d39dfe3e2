export interface TestTool {
  name: string;
  probe: string[];
  paths?: string[];
  install: string;
  debian?: string;
  suites: string;
}
export const TEST_TOOLS: ReadonlyArray<TestTool>;
export function hasTool(tool: TestTool): boolean;
export function missingTestTools(): TestTool[];
