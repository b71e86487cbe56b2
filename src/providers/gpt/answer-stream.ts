import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import type { TryWatchdog } from './try-watchdog';

export interface StreamedAnswer {
  text: string;
  /** The model the server named, if it did. */
  model?: string;
  usage?: ChatCompletionChunk['usage'];
  /** Whether a finish reason came: an answer without one broke off. */
  finished: boolean;
}

/** Gathers a streamed answer, telling the watchdog of every chunk as it comes. */
export async function gatherAnswer(chunks: AsyncIterable<ChatCompletionChunk>, watchdog: TryWatchdog): Promise<StreamedAnswer> {
  const answer: StreamedAnswer = { text: '', finished: false };
  for await (const chunk of chunks) {
    // Azure's first chunk has no choices: it carries the prompt's filter results.
    const choice = chunk.choices[0];
    const content = choice?.delta?.content ?? '';
    answer.text += content;
    if (choice?.finish_reason) answer.finished = true;
    answer.model ||= chunk.model || undefined;
    if (chunk.usage) answer.usage = chunk.usage;
    watchdog.chunk(content !== '' || Boolean(choice?.finish_reason));
  }
  return answer;
}
