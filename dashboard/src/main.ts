import './style.css';
import { run, SessionEndedError } from './api';
import { el } from './chart-panel';
import { DashboardMeDocument } from './gql/graphql';
import { currentLanguage, onLanguageChange, setLanguage, t, type MessageKey } from './i18n';
import { currentRoute, navigate } from './router';
import { currentSession, setPurpose, signIn, SignInError, signOut } from './session';
import { failureMessage, type View } from './view';
import { overviewView } from './views/overview';
import { regionView } from './views/region';
import { snapshotsView } from './views/snapshots';
import { targetingView } from './views/targeting';
import { useView } from './views/use';
import { verivaliView } from './views/verivali';

/** The views, in the order of the navigation; each a route of its own. */
const VIEWS: Array<{ route: string; label: MessageKey; view: View }> = [
  { route: 'overview', label: 'overview', view: overviewView },
  { route: 'targeting', label: 'targeting', view: targetingView },
  { route: 'verivali', label: 'verivali', view: verivaliView },
  { route: 'snapshots', label: 'snapshots', view: snapshotsView },
  { route: 'use', label: 'use', view: useView },
];
const HIDDEN_ROUTES: Record<string, View> = { region: regionView };

const app = document.getElementById('app')!;
let notice: MessageKey | null = null;

function render(): void {
  const session = currentSession();
  if (!session) {
    renderSignIn();
    return;
  }
  renderShell();
}

function languageSwitch(): HTMLElement {
  const select = el('select', { id: 'language', 'aria-label': t('language') });
  for (const [value, label] of [
    ['id', 'Bahasa Indonesia'],
    ['en', 'English'],
  ] as const) {
    const option = el('option', { value }, label);
    if (value === currentLanguage()) option.selected = true;
    select.append(option);
  }
  select.addEventListener('change', () => setLanguage(select.value === 'en' ? 'en' : 'id'));
  return select;
}

function renderSignIn(): void {
  const form = el('form', { class: 'sign-in', 'aria-labelledby': 'sign-in-title' });
  const clientId = el('input', {
    id: 'client-id',
    name: 'client_id',
    autocomplete: 'username',
    required: '',
    value: 'pusdatin-dashboard',
  });
  const secret = el('input', {
    id: 'secret',
    name: 'client_secret',
    type: 'password',
    autocomplete: 'current-password',
    required: '',
  });
  const officer = el('input', { id: 'officer-id', name: 'officer_id', autocomplete: 'off' });
  const message = el('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
  if (notice) message.textContent = t(notice);
  const submit = el('button', { type: 'submit' }, t('signIn'));
  form.append(
    el('h1', { id: 'sign-in-title' }, t('title')),
    el('p', {}, t('signInIntro')),
    el('label', { for: 'client-id' }, t('clientId')),
    clientId,
    el('label', { for: 'secret' }, t('secret')),
    secret,
    el('label', { for: 'officer-id' }, t('officerId')),
    officer,
    submit,
    message,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    message.textContent = t('loading');
    const officerId = officer.value.trim() === '' ? null : officer.value.trim();
    signIn(clientId.value.trim(), secret.value, officerId)
      .then(async () => {
        notice = null;
        const me = await run(DashboardMeDocument, {});
        setPurpose(me.me.purposes[0] ?? null);
        render();
      })
      .catch((error: unknown) => {
        submit.disabled = false;
        signOut();
        message.textContent =
          error instanceof SignInError
            ? t(
                error.reason === 'WRONG_SECRET'
                  ? 'wrongSecret'
                  : error.reason === 'UNREACHABLE'
                    ? 'cannotReach'
                    : 'unavailable',
              )
            : failureMessage(error);
        secret.focus();
      });
  });
  app.replaceChildren(
    el('header', { class: 'top' }, languageSwitch()),
    el('main', { id: 'main' }, form),
  );
  secret.focus();
}

function renderShell(): void {
  const route = currentRoute();
  const nav = el('nav', { 'aria-label': t('nav') });
  const list = el('ul');
  for (const item of VIEWS) {
    const link = el('a', { href: `#/${item.route}` }, t(item.label));
    if (route[0] === item.route) link.setAttribute('aria-current', 'page');
    list.append(el('li', {}, link));
  }
  nav.append(list);
  const out = el('button', { type: 'button', id: 'sign-out' }, t('signOut'));
  out.addEventListener('click', () => {
    signOut();
    render();
  });
  const main = el(
    'main',
    { id: 'main', tabindex: '-1' },
    el('p', { class: 'loading' }, t('loading')),
  );
  app.replaceChildren(
    el(
      'header',
      { class: 'top' },
      el('div', { class: 'brand' }, el('strong', {}, t('title')), el('span', {}, t('subtitle'))),
      languageSwitch(),
      out,
    ),
    nav,
    main,
  );
  const view =
    VIEWS.find((v) => v.route === route[0])?.view ?? HIDDEN_ROUTES[route[0] ?? ''] ?? overviewView;
  view(main, route.slice(1))
    .then(() => main.querySelector<HTMLElement>('h1')?.focus())
    .catch((error: unknown) => {
      if (error instanceof SessionEndedError) {
        notice = 'sessionExpired';
        signOut();
        render();
        return;
      }
      main.replaceChildren(el('p', { class: 'error', role: 'alert' }, failureMessage(error)));
    });
}

window.addEventListener('hashchange', render);
onLanguageChange(render);
if (location.hash === '') navigate(['overview']);
render();
