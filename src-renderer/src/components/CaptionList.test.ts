import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { CaptionLog } from '../lib/captions.js';
import CaptionList from './CaptionList.svelte';

function sample(): CaptionLog {
  const log = new CaptionLog();
  log.newEpoch();
  log.apply({ type: 'transcript', is_final: true, segment: 0, text: 'Good morning.', start_ms: 0, end_ms: 900, confidence: 1, latency_ms: 3 });
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
    log.apply({ type: 'transcript', is_final: true, segment: 1, text: 'How are you?', start_ms: 1000, end_ms: 1800, confidence: 1, latency_ms: 3 });
    await view.rerender({ lines: log.lines() });
    expect(screen.queryByText('how are')).toBeNull();
    expect(screen.getByText('How are you?').classList.contains('final')).toBe(true);
    expect(document.querySelectorAll('.caption')).toHaveLength(2);
  });

  it('shows a placeholder when empty', () => {
    render(CaptionList, { lines: [] });
    expect(screen.getByText(/Captions appear here/)).toBeTruthy();
  });
});
