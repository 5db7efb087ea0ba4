import t from 'tap';
import { FakeRest, REST_PROVIDERS } from '../support/fake-rest';
import { restCosts } from '../support/rest-costs';

/**
 * What a change costs at each REST provider, counted on stateful fake servers (one zone per
 * provider): the engine's real check, the real provider and the API verifier. The start-up
 * read, the update and the verification share the ids the service remembers and the replies
 * of the check, so no provider is asked the same thing twice within one check.
 */

t.test('requests per change, verification on', async (t) => {
  const fake = await FakeRest.start();
  t.teardown(() => fake.close());
  for (const p of REST_PROVIDERS) {
    const c = await restCosts(fake, p);
    t.comment(`${p}: create + verify ${c.create.requests}, next change ${c.change.requests}, after a reboot ${c.restart.requests}`);
    for (const [what, cost, address] of [['create', c.create, '203.0.113.10'], ['change', c.change, '203.0.113.11'], ['restart', c.restart, '203.0.113.12']] as const) {
      t.same(cost.zone, [address], `${p} ${what}: the zone holds the new address`);
      t.ok(cost.verified, `${p} ${what}: verified (${cost.lines.filter((l) => /verif/.test(l)).join(' | ')})`);
      t.equal(cost.repeatedReads, 0, `${p} ${what}: no read repeated within the check`);
    }
    // The verification of a write whose reply states the record's content costs nothing more;
    // APIs whose write reply says nothing (Gandi, Hetzner, Porkbun) are read back once, and
    // Hetzner's running action is asked about once.
    const most = p === 'hetzner' ? 3 : 2;
    t.ok(c.change.requests <= most, `${p}: a steady-state change costs at most ${most} requests (${c.change.requests})`);
  }
  t.strictSame(fake.problems, [], 'the fakes saw only well-formed, authenticated requests');
});

t.test('Cloudflare: create + verify in at most 3 requests, the next change in 1', async (t) => {
  const fake = await FakeRest.start();
  t.teardown(() => fake.close());
  const c = await restCosts(fake, 'cloudflare');
  t.ok(c.create.requests <= 3, `create + verify: ${c.create.requests} requests`);
  t.equal(c.change.requests, 1, 'the next change: one PATCH, verified by its reply');
  t.ok(c.restart.requests <= 3, `after a reboot: ${c.restart.requests} requests`);
  t.ok(c.create.verified && c.change.verified && c.restart.verified);
  t.strictSame(fake.problems, []);
});
