import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { CaptionLog } from '../lib/captions.js';
import { settings } from '../lib/settings.svelte.js';
import CaptionList from './CaptionList.svelte';

function sample(): CaptionLog {
  const log = new CaptionLog();
  log.newEpoch();
  log.apply({
    type: 'transcript',
    is_final: true,
    segment: 0,
    text: 'Good morning.',
    start_ms: 0,
    end_ms: 900,
    confidence: 1,
    latency_ms: 3,
  });
  log.apply({ type: 'transcript', is_final: false, segment: 1, text: 'how are', start_ms: 1000, end_ms: 1400 });
  return log;
}

describe('CaptionList', () => {
  it('shows finals and the interim, styled apart, in an accessible live log', () => {
    render(CaptionList, { lines: sample().lines() });
    const log = screen.getByRole('log', { name: 'Live captions' });
    expect(log.getAttribute('aria-live')).toBe('polite');
    const finalLine = screen.getByText('Good morning.');
    const interimLine = screen.getByText('how are');
    expect(finalLine.classList.contains('final')).toBe(true);
    expect(interimLine.classList.contains('interim')).toBe(true);
    expect(interimLine.getAttribute('aria-label')).toBe('in progress');
  });

  it('replaces the interim by its final when the lines update', async () => {
    const log = sample();
    const view = render(CaptionList, { lines: log.lines() });
    log.apply({
      type: 'transcript',
      is_final: true,
      segment: 1,
      text: 'How are you?',
      start_ms: 1000,
      end_ms: 1800,
      confidence: 1,
      latency_ms: 3,
    });
    await view.rerender({ lines: log.lines() });
    expect(screen.queryByText('how are')).toBeNull();
    expect(screen.getByText('How are you?').classList.contains('final')).toBe(true);
    expect(document.querySelectorAll('.caption')).toHaveLength(2);
  });

  it('shows a placeholder when empty', () => {
    render(CaptionList, { lines: [] });
    expect(screen.getByText(/Captions appear here/)).toBeTruthy();
  });

  it('follows new lines until the user scrolls up, then offers a way back', async () => {
    const log = sample();
    const view = render(CaptionList, { lines: log.lines() });
    const box = screen.getByRole('log');
    // jsdom has no layout: give the box a scrollable geometry.
    let scrollHeight = 1000;
    Object.defineProperty(box, 'scrollHeight', { get: () => scrollHeight });
    Object.defineProperty(box, 'clientHeight', { get: () => 200 });
    const more = (seg: number) => {
      log.apply({
        type: 'transcript',
        is_final: true,
        segment: seg,
        text: `line ${seg}`,
        start_ms: seg,
        end_ms: seg + 1,
        confidence: 1,
        latency_ms: 1,
      });
      scrollHeight += 100;
      return view.rerender({ lines: log.lines() });
    };
    await more(2);
    expect(box.scrollTop).toBe(1100); // followed to the bottom
    box.scrollTop = 300; // the user scrolls up to read
    await fireEvent.scroll(box);
    await more(3);
    expect(box.scrollTop).toBe(300); // left where the user is
    const jump = screen.getByRole('button', { name: /Jump to latest/ });
    await fireEvent.click(jump);
    expect(box.scrollTop).toBe(1200);
    await more(4);
    expect(box.scrollTop).toBe(1300); // following again
    expect(screen.queryByRole('button', { name: /Jump to latest/ })).toBeNull();
  });

  it('right-to-left text gets its own direction (dir=auto), and the profanity filter masks when on', async () => {
    const log = new CaptionLog();
    log.newEpoch();
    log.apply({
      type: 'transcript',
      is_final: true,
      segment: 0,
      text: 'مرحبا بالعالم',
      start_ms: 0,
      end_ms: 900,
      confidence: 1,
      latency_ms: 3,
    });
    log.apply({
      type: 'transcript',
      is_final: true,
      segment: 1,
      text: 'oh shit',
      start_ms: 1000,
      end_ms: 1400,
      confidence: 1,
      latency_ms: 3,
    });
    const view = render(CaptionList, { lines: log.lines() });
    expect(screen.getByText('مرحبا بالعالم').getAttribute('dir')).toBe('auto');
    expect(screen.getByText('oh shit')).toBeTruthy();
    view.unmount();
    settings.profanityFilter = true;
    try {
      render(CaptionList, { lines: log.lines() });
      expect(screen.getByText('oh s***')).toBeTruthy();
      expect(screen.queryByText('oh shit')).toBeNull();
    } finally {
      settings.profanityFilter = false;
    }
  });
});
