// The landing page (/): from the token kept in this tab (any role), who you
// are and where to go; without one, how to get one. The token's claims are
// read, not verified: the page it leads to asks the node.

import { h } from './dom.js';
import { mountLanguagePicker, onLanguageChange, t, translatePage } from './i18n.js';
import { forgetToken, readClaims, rememberToken, takeToken } from './token.js';

const $ = (id) => document.getElementById(id);
const HEALTH_MS = 5000;

// Where each role goes. /review and /join take the token in their own
// fragment; the staff pages find it in this tab's sessionStorage.
const PAGES = {
  chair: () => '/console',
  operator: () => '/operator',
  reviewer: (token) => `/review#token=${encodeURIComponent(token)}`,
  point: (token) => `/join#t=${encodeURIComponent(token)}`,
};

let token = takeToken();
let health = null; // the last /healthz answer, or 'down'

function draw() {
  $('health').textContent =
    health === null
      ? '…'
      : health === 'down'
        ? t('landing.health_down')
        : t('landing.health', { n: health.points_connected });
  drawWho();
  drawHowTo();
}

function drawWho() {
  const claims = token ? readClaims(token) : null;
  const who = $('who');
  who.dataset.role = claims?.role ?? '';
  if (!token) {
    who.replaceChildren(h('h2', {}, t('landing.no_token')), tokenForm());
    return;
  }
  if (!claims) {
    who.replaceChildren(h('h2', {}, t('landing.bad_token')), tokenForm());
    return;
  }
  const page = PAGES[claims.role];
  who.replaceChildren(
    ...[
      h('h2', {}, t('landing.you_are', { role: t(`role.${claims.role}`) })),
      h('p', {}, t('landing.conference', { id: claims.conference })),
      claims.point ? h('p', {}, t('landing.point', { id: claims.point })) : null,
      page
        ? h('p', {}, h('a', { id: 'go', class: 'go', href: page(token) }, t(`landing.go.${claims.role}`)))
        : h('p', {}, t('landing.no_page')),
      h(
        'p',
        {},
        h(
          'button',
          {
            type: 'button',
            id: 'forget',
            onclick: () => {
              forgetToken();
              token = '';
              draw();
            },
          },
          t('landing.forget'),
        ),
      ),
    ].filter(Boolean),
  );
}

function tokenForm() {
  const input = h('input', { id: 'token-input', type: 'text', autocomplete: 'off', spellcheck: 'false' });
  return h(
    'form',
    {
      class: 'token-form',
      onsubmit: (e) => {
        e.preventDefault();
        const value = input.value.trim();
        if (!value) return;
        rememberToken(value);
        token = value;
        draw();
      },
    },
    h('label', { for: 'token-input' }, t('landing.paste')),
    input,
    h('button', { type: 'submit' }, t('landing.use')),
  );
}

function drawHowTo() {
  const code = (text) => h('code', {}, text);
  $('howto').replaceChildren(
    h('h2', { id: 'howto-h' }, t('landing.howto')),
    h('h3', {}, t('landing.howto_point_h')),
    h(
      'p',
      {},
      t('landing.howto_point'),
      ' ',
      code('join-links.json'),
      ' ',
      t('landing.howto_point_where'),
      ' ',
      code('var/join-links.json'),
      '.',
    ),
    h('h3', {}, t('landing.howto_staff_h')),
    h('p', {}, t('landing.howto_staff')),
    h('pre', {}, code(`bridgecast token --conference ${t('landing.conference_id')} --role chair --state-dir var`)),
    h('p', {}, t('landing.howto_roles')),
    h(
      'p',
      {},
      t('landing.howto_open'),
      ' ',
      code(`${location.origin}/console#token=<token>`),
      ' ',
      t('landing.howto_pages'),
    ),
    h('p', {}, t('landing.howto_operator'), ' ', code('var/operator-token'), '.'),
    h('p', { class: 'muted' }, t('landing.howto_fragment')),
  );
}

async function refreshHealth() {
  try {
    const answer = await (await fetch('/healthz')).json();
    health = Number.isSafeInteger(answer?.points_connected) ? answer : 'down';
  } catch {
    health = 'down';
  }
  draw();
}

translatePage();
mountLanguagePicker($('lang'));
onLanguageChange(draw);
draw();
refreshHealth();
setInterval(refreshHealth, HEALTH_MS);
