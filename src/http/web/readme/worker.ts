// Runs in a worker thread of the README pool (pool.ts): markdown to sanitised HTML, nothing else.
// attacker-controlled: the markdown may take seconds or exhaust the stack; the pool's time limit
// ends this thread then, so this file must never hold state that outlives one task.
import { renderMarkdown } from '../markdown.js';

export interface RenderTask {
  markdown: string;
}

export default function render(task: RenderTask): string {
  return renderMarkdown(task.markdown).toString();
}
