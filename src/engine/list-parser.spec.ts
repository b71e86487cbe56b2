import { normalizeAnswer, splitItems } from './list-parser';

describe('list-parser', () => {
  describe('normalizeAnswer', () => {
    it('turns newlines into spaces, " ." into "." and trims the outside', () => {
      expect(normalizeAnswer('\n  第一行\n第二行 .  ')).toBe('第一行 第二行.');
      expect(normalizeAnswer('a\r\nb')).toBe('a b');
      expect(normalizeAnswer('end .')).toBe('end.');
    });

    it('keeps inner text as it is', () => {
      expect(normalizeAnswer('modern gym, morning light, wide angle')).toBe('modern gym, morning light, wide angle');
    });
  });

  describe('splitItems', () => {
    it('splits on # and trims each item', () => {
      expect(splitItems('智能跳绳#护膝支架# 心率手环 #筋膜枪')).toEqual(['智能跳绳', '护膝支架', '心率手环', '筋膜枪']);
    });

    it('normalises first: newline separators and a trailing " ."', () => {
      expect(splitItems('\n健身房#\n城市公园 # 跑步道 .')).toEqual(['健身房', '城市公园', '跑步道.']);
      expect(splitItems('a\nb#c')).toEqual(['a b', 'c']);
    });

    it('drops empty items (doubled, leading and trailing separators)', () => {
      expect(splitItems('#甲##乙# #丙#')).toEqual(['甲', '乙', '丙']);
      expect(splitItems('   ')).toEqual([]);
      expect(splitItems('#')).toEqual([]);
    });

    it('also splits on the full-width ＃', () => {
      expect(splitItems('甲＃乙#丙 ＃ 丁')).toEqual(['甲', '乙', '丙', '丁']);
    });

    it('answers a single item when there is no separator', () => {
      expect(splitItems(' 智能计数跳绳 ')).toEqual(['智能计数跳绳']);
    });
  });
});
