import type { Request, Response } from 'express';
import { accessLogLevel, accessLogMessage } from './access-log';
import { loggedRequest, loggedResponse, requestPath } from './request-log';

const aRequest = (url: string, headers: Record<string, string> = {}) =>
  ({ method: 'GET', url, originalUrl: url, headers, ip: '10.0.0.7', socket: { remoteAddress: '127.0.0.1' } }) as unknown as Request;
const aResponse = (statusCode: number, ended = true, headers: Record<string, string> = {}) =>
  ({ statusCode, writableEnded: ended, getHeader: (name: string) => headers[name] }) as unknown as Response;

describe('access log', () => {
  it.each([
    ['/generate', 200, 'info'],
    ['/jobs/abc', 302, 'info'],
    ['/generate', 400, 'warn'],
    ['/experiments', 401, 'warn'],
    ['/generate', 502, 'error'],
    ['/ping', 200, 'debug'],
    ['/health?x=1', 200, 'debug'],
    ['/metrics', 401, 'debug'],
    ['/health', 503, 'error'],
    ['/healthz', 200, 'info'],
  ])('%s answered %i is logged at %s', (url, status, level) => {
    expect(accessLogLevel(aRequest(url), aResponse(status))).toBe(level);
  });

  it('an error on the response is logged at error whatever the status', () => {
    expect(accessLogLevel(aRequest('/ping'), aResponse(200), new Error('socket hang up'))).toBe('error');
  });

  it('says method, path, status and time, or that the client left first', () => {
    expect(accessLogMessage(aRequest('/generate?username=ana'), aResponse(200), 12)).toBe('GET /generate 200 in 12 ms');
    expect(accessLogMessage(aRequest('/jobs/1/events'), aResponse(200, false), 900)).toBe('GET /jobs/1/events closed by the client in 900 ms (status 200)');
  });
});

describe('request and response fields', () => {
  it('keeps the path and drops the query string', () => {
    expect(requestPath(aRequest('/experiments?username=ana&cursor=x'))).toBe('/experiments');
    expect(requestPath(aRequest('/users/ana/experiments'))).toBe('/users/ana/experiments');
  });

  it('keeps the safe headers only', () => {
    const request = aRequest('/experiments?token=abc', {
      'user-agent': 'Mozilla/5.0',
      'content-length': '51',
      authorization: 'Bearer secret',
      'x-api-key': 'secret',
      cookie: 'session=secret',
    });
    expect(loggedRequest(request)).toEqual({ method: 'GET', path: '/experiments', remoteAddress: '10.0.0.7', userAgent: 'Mozilla/5.0', contentLength: 51 });
  });

  it('leaves out what a request did not say, and a length that is not a number', () => {
    expect(loggedRequest(aRequest('/ping', { 'content-length': 'lots' }))).toEqual({ method: 'GET', path: '/ping', remoteAddress: '10.0.0.7' });
  });

  it('gives a response its status and, when declared, its size', () => {
    expect(loggedResponse(aResponse(200, true, { 'content-length': '31696' }))).toEqual({ statusCode: 200, size: 31696 });
    expect(loggedResponse(aResponse(200))).toEqual({ statusCode: 200 });
  });
});
