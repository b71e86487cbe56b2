import pino from 'pino';
import { Writable } from 'node:stream';
import { logOutput } from './log-output';

/** A pino logger with the service's options, writing into an array instead of stdout. */
function capture(level: 'info' | 'debug' = 'info') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const { options } = logOutput({ level, format: 'json' });
  return { logger: pino(options, sink), lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('log output', () => {
  it('writes JSON lines with the level by name and an ISO time', () => {
    const { logger, lines } = capture();
    logger.info({ context: 'Test' }, 'hello');
    expect(lines()).toEqual([expect.objectContaining({ level: 'info', msg: 'hello', context: 'Test', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) })]);
  });

  it('writes nothing below its level', () => {
    const { logger, lines } = capture('info');
    logger.debug('not shown');
    expect(lines()).toEqual([]);
  });

  it('redacts credential headers wherever a logged request, response or HTTP client error carries them', () => {
    const { logger, lines } = capture();
    logger.warn(
      {
        req: { headers: { authorization: 'Bearer t0ken', 'x-api-key': 'k3y', cookie: 'session=c00kie', 'user-agent': 'curl' } },
        res: { headers: { 'set-cookie': 'session=s3t' } },
        err: { message: 'refused', config: { headers: { Authorization: 'Bearer sk-pr0vider' } }, response: { headers: { 'Set-Cookie': 'a=b4d' } } },
      },
      'logged whole by mistake',
    );
    const text = JSON.stringify(lines());
    for (const secret of ['t0ken', 'k3y', 'c00kie', 's3t', 'sk-pr0vider', 'b4d']) expect(text).not.toContain(secret);
    // What is not a credential is kept.
    expect(lines()[0]).toMatchObject({ req: { headers: { 'user-agent': 'curl', authorization: '[redacted]' } }, err: { message: 'refused' } });
  });
});
