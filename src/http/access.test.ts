import assert from 'node:assert/strict';
import { it } from 'node:test';
import { AREAS, can } from './access.ts';

// The role rules as the product states them, checked against the policy table.
it('admin may do everything', () => {
  for (const a of AREAS) for (const op of ['read', 'write'] as const) assert.ok(can('admin', a, op), `${a} ${op}`);
});

it('marketer works the marketing modules but has no settings, audit, user or data-subject rights', () => {
  for (const a of ['contacts', 'lists', 'segments', 'messages', 'journeys', 'leads', 'scoring', 'forms'] as const)
    assert.ok(can('marketer', a, 'write'), a);
  for (const a of ['settings', 'audit', 'users', 'requests', 'tasks', 'exports', 'erasure', 'retention', 'entities'] as const) {
    assert.ok(!can('marketer', a, 'write'), `${a} write`);
  }
  for (const a of ['settings', 'audit', 'requests', 'exports', 'erasure'] as const) assert.ok(!can('marketer', a, 'read'), `${a} read`);
  assert.ok(!can('marketer', 'consent', 'write'));
});

it('the outbox, jobs and webhooks (bearer links, work in flight, data sent out with its secrets) are the admin’s alone', () => {
  for (const role of ['marketer', 'privacy_officer', 'viewer'] as const) {
    for (const a of ['outbox', 'jobs', 'webhooks'] as const)
      for (const op of ['read', 'write'] as const) assert.ok(!can(role, a, op), `${role} ${a} ${op}`);
  }
});

it('privacy officer handles contacts, consent, requests, tasks, exports, erasure, audit and the data map', () => {
  for (const a of ['contacts', 'consent', 'requests', 'tasks', 'exports', 'erasure', 'datamap', 'entities', 'retention'] as const)
    assert.ok(can('privacy_officer', a, 'write'), a);
  assert.ok(can('privacy_officer', 'audit', 'read'));
  for (const a of ['settings', 'users', 'journeys', 'messages', 'segments', 'leads'] as const)
    assert.ok(!can('privacy_officer', a, 'write'), a);
  assert.ok(can('privacy_officer', 'leads', 'read'), 'leads are read to answer questions about a person');
});

it('viewer reads everything but the audit log, exports, the outbox, jobs and webhooks, and writes nothing but its own session', () => {
  for (const a of AREAS) {
    assert.equal(can('viewer', a, 'read'), !['audit', 'exports', 'outbox', 'jobs', 'webhooks'].includes(a), `${a} read`);
    assert.equal(can('viewer', a, 'write'), a === 'self', `${a} write`);
  }
});
