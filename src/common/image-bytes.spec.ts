import { isProvedImage, readImageDataUrl } from './image-bytes';

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const WEBP_1X1 = 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';

const problem = (value: unknown) => {
  const result = readImageDataUrl(value);
  return isProvedImage(result) ? undefined : result.problem;
};

describe('readImageDataUrl', () => {
  it('proves the type by the bytes, whatever the data URL declares', () => {
    expect(readImageDataUrl(`data:image/png;base64,${PNG_1X1}`)).toMatchObject({ mime: 'image/png', width: 1, height: 1, base64: PNG_1X1 });
    expect(readImageDataUrl(`data:image/png;base64,${WEBP_1X1}`)).toMatchObject({ mime: 'image/webp', width: 1, height: 1 });
    expect(readImageDataUrl(`data:application/octet-stream;base64,${PNG_1X1}`)).toMatchObject({ mime: 'image/png' });
  });

  it('refuses base64 that does not encode back to itself: stray characters, the URL-safe alphabet, missing padding', () => {
    expect(problem(`data:image/png;base64,${PNG_1X1.slice(0, 40)}!${PNG_1X1.slice(40)}`)).toMatch(/not valid base64/);
    expect(problem(`data:image/png;base64,${PNG_1X1.replace(/\+/g, '-')}`)).toMatch(/not valid base64/);
    expect(problem(`data:image/png;base64,${PNG_1X1.replace(/=+$/, '')}`)).toMatch(/not valid base64/);
    expect(problem(`data:image/png;base64,${PNG_1X1} `)).toMatch(/not valid base64/);
  });

  it('refuses what is no PNG, JPEG or WebP, and what is no data URL', () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>').toString('base64');
    expect(problem(`data:image/svg+xml;base64,${svg}`)).toMatch(/is not a PNG, JPEG or WebP image/);
    expect(problem('data:image/png;base64,')).toMatch(/is not a PNG, JPEG or WebP image/);
    expect(problem('https://example.com/a.png')).toMatch(/must be an image data URL/);
    expect(problem(`data:image/png,${PNG_1X1}`)).toMatch(/must be an image data URL/);
    expect(problem(null)).toMatch(/must be an image data URL/);
  });
});
