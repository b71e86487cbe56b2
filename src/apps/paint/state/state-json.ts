import { ok } from '../../../common/envelope';
import { SCHEME_LIST_FIELDS, SchemeField } from '../stages';

export interface StateParts {
  id: string;
  username: string;
  currentStage: string;
  /** Already JSON text. */
  designTaskJson: string;
  /** Each scheme as the pieces of its JSON text. */
  lists: Partial<Record<SchemeField, Buffer[][]>>;
}

const MARK = '\u0000state';
/** The success envelope around the state, from the one definition of the envelope. */
const [BEFORE, AFTER] = JSON.stringify(ok(MARK)).split(JSON.stringify(MARK)).map((text) => Buffer.from(text));

/**
 * The /paint/start answer as the pieces of its bytes, in order: the envelope, the state's
 * fields, and each scheme's stored text spliced together. Nothing is parsed, serialised or
 * copied again, so a 20 MB state costs what writing it to the socket costs.
 */
export function stateResponse(state: StateParts): Buffer[] {
  const parts: Buffer[] = [BEFORE];
  const text = (value: string) => parts.push(Buffer.from(value));
  text(`{"_id":${JSON.stringify(state.id)},"username":${JSON.stringify(state.username)},`);
  text(`"currentStage":${JSON.stringify(state.currentStage)},"designTask":${state.designTaskJson}`);
  for (const field of SCHEME_LIST_FIELDS) {
    text(`,${JSON.stringify(field)}:[`);
    (state.lists[field] ?? []).forEach((scheme, index) => {
      if (index > 0) text(',');
      parts.push(...scheme);
    });
    text(']');
  }
  text('}');
  parts.push(AFTER);
  return parts;
}
