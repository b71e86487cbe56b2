import type { PipelineCreatives } from './generation-pipeline';
import type { ImageOutcome, MadeImage } from './made-image';
import type { CreativeParts, GraphSpec, StepResult } from './step-graph';
import { withImages } from './with-images';

/** Image `index` of an image step's slots, if it was made. */
export function madeImage(outcomes: readonly (ImageOutcome | undefined)[] | undefined, index: number): MadeImage | undefined {
  const outcome = outcomes?.[index];
  return outcome?.ok ? outcome.image : undefined;
}

/**
 * The answer's creatives: those whose images were all made, in slot order, built by the same
 * `build` that built them while the run went on. Fails as withImages does when none was made.
 */
export function finalCreatives<G extends GraphSpec, I, C>(
  creatives: PipelineCreatives<G, I, C>,
  images: ImageOutcome[][],
  parts: CreativeParts<G>,
  input: I,
): C[] {
  return withImages(images, (_made, index) => {
    const creative = creatives.build(index, parts, input);
    if (creative === undefined) throw new Error(`Creative ${index} lacks a part although the run finished`);
    return creative;
  });
}

/**
 * Follows one run's parts as they are made and reports each creative once, the first moment
 * `build` can make it: after a step ends or an image is made, whichever completes it.
 */
export class CreativeTracker<I> {
  private readonly parts: Record<string, StepResult | (ImageOutcome | undefined)[]> = {};
  private readonly reported = new Set<number>();
  private readonly count: number;

  constructor(
    // Any graph: the tracker fills the parts by step name, as the engine runs them.
    private readonly creatives: PipelineCreatives<GraphSpec, I>,
    private readonly input: I,
    private readonly report: (index: number, creative: unknown) => void,
  ) {
    this.count = creatives.count(input);
  }

  stepDone(step: string, result: StepResult): void {
    this.parts[step] = result;
    this.check();
  }

  imageMade(step: string, index: number, image: MadeImage): void {
    const slots = (this.parts[step] ??= []) as (ImageOutcome | undefined)[];
    slots[index] = { ok: true, image };
    this.check();
  }

  private check(): void {
    for (let index = 0; index < this.count; index++) {
      if (this.reported.has(index)) continue;
      const creative = this.creatives.build(index, this.parts as CreativeParts<GraphSpec>, this.input);
      if (creative === undefined) continue;
      this.reported.add(index);
      this.report(index, creative);
    }
  }
}
