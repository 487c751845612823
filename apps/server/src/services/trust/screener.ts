/**
 * A screener scores free text for prompt-injection risk: 0 (benign) to 1 (hostile).
 * Pluggable: the built-in heuristic scorer is the default; a model-backed or remote
 * classifier can implement the same interface and be injected in services/index.ts.
 */
export interface InjectionScreener {
  readonly name: string;
  score(text: string): number | Promise<number>;
}

/** The highest score among several texts (one hostile field taints the record). */
export async function scoreTexts(screener: InjectionScreener, texts: readonly string[]): Promise<number> {
  let max = 0;
  for (const text of texts) {
    if (!text) continue;
    const s = await screener.score(text);
    if (!(s >= 0 && s <= 1)) throw new Error(`screener ${screener.name} returned ${s}, outside 0..1`);
    max = Math.max(max, s);
  }
  return max;
}
