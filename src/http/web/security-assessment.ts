// /policies/security-assessment: the live self-assessment (domain/security) as a page, one table
// per track with the level this deployment reaches and each item's status and reason. The same
// report as GET /-/security/principles, rendered on every view.
import type { FastifyInstance } from 'fastify';
import type { Registry } from '../../registry.js';
import type { AssessedItem, Status, TrackAssessment } from '../../domain/security/assessment.js';
import { html, layout, sendPage, type SafeHtml } from './html.js';
import { PAGE_ONLY } from './negotiation.js';

const STATUS_TEXT: Record<Status, string> = { met: 'met', partial: 'partly met', 'not-met': 'not met' };

function itemRow(item: AssessedItem): SafeHtml {
  return html`<tr class="principle ${item.status}" data-id="${item.id}">
    <td>${item.level}</td>
    <td>${item.title}</td>
    <td class="status">${STATUS_TEXT[item.status]}</td>
    <td class="reason">${item.reason}</td>
  </tr>`;
}

function trackSection(track: TrackAssessment): SafeHtml {
  return html`<section class="track" id="${track.track}">
    <h2>${track.title}: <span class="level">level ${track.levelReached}</span> of 3</h2>
    <table>
      <thead>
        <tr>
          <th>Level</th>
          <th>Principle</th>
          <th>Status</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        ${track.items.map(itemRow)}
      </tbody>
    </table>
  </section>`;
}

export function registerSecurityAssessmentPage(app: FastifyInstance, registry: Registry): void {
  app.get('/policies/security-assessment', { constraints: PAGE_ONLY }, async (_request, reply) => {
    const report = await registry.securityAssessment.report();
    const page = layout(
      'Security self-assessment',
      html`<h1>Security self-assessment</h1>
        <p class="notice setting">
          How this registry, as configured now, measures against the OpenSSF
          <em>Principles for Package Repository Security</em>. A track's level is the highest level whose items, and every lower
          level's, are all met. Computed at ${report.generatedAt}; also as JSON at
          <a href="/-/security/principles">/-/security/principles</a>.
        </p>
        ${report.tracks.map(trackSection)}`,
    );
    return sendPage(reply.header('cache-control', 'no-cache'), page);
  });
}
