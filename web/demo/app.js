// The BridgeInTech BFF demo client: plain JavaScript, no build step, no framework. It is also the reference for
// the React app: every call to the BFF goes through api() below, exactly as the React client should make it.
'use strict';

// The BFF's origin. Empty means "the origin this page came from" (the recommended same-origin deployment); a
// React build served from elsewhere sets it, e.g. process.env.REACT_APP_BASE_API.
const API_BASE = '';

const WEEK_SECONDS = 7 * 24 * 60 * 60;
const RELATION_STATES = { 1: 'pending', 2: 'accepted', 3: 'rejected', 4: 'cancelled', 5: 'completed' };

/**
 * api calls one BFF route and returns the parsed JSON answer (null for 204 No Content).
 *
 * - credentials: 'include' sends the session cookie. The cookie is HttpOnly: this code never sees a token,
 *   never stores one, and never sends an Authorization header. The BFF keeps the MS tokens inside the cookie
 *   and refreshes them by itself (a fresh cookie comes back with the answer).
 * - 'X-CSRF': '1' on every call: the BFF refuses unsafe requests (POST, PUT, DELETE) authenticated by the
 *   cookie without it (403). A cross-site HTML form cannot add a header, so this stops CSRF. Sending it on
 *   GET too is harmless and keeps the helper simple.
 * - On an error status it throws an Error whose message is MS's (or the BFF's) {"message": ...} and whose
 *   status is the HTTP status. 401 means "not logged in (any more)": show the login form.
 *
 * @param {string} path  the route under /api, e.g. '/user'
 * @param {{method?: string, body?: object}} [options]
 */
async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(`${API_BASE}/api${path}`, {
    method,
    credentials: 'include',
    headers: { 'Content-Type': 'application/json', 'X-CSRF': '1' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { message: text };
    }
  }
  if (!res.ok) {
    const message = (data && typeof data.message === 'string') ? data.message : `${res.status} ${res.statusText}`;
    throw Object.assign(new Error(message), { status: res.status });
  }
  return data;
}

// ---- small DOM helpers ------------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function showStatus(text, kind = 'info') {
  const s = $('status');
  s.textContent = text;
  s.className = text ? kind : '';
}

function showError(err) {
  showStatus(err.status ? `${err.message} (${err.status})` : err.message, 'error');
}

// setState switches between the login form and the app. body[data-state] tells tests (and CSS) where we are.
function setState(state) {
  document.body.dataset.state = state;
  $('login-section').hidden = state !== 'logged-out';
  $('app-section').hidden = state !== 'logged-in';
  $('logout').hidden = state !== 'logged-in';
}

// ---- views --------------------------------------------------------------------------------------------------

let me = null; // the logged-in user (MS's full user), or null
let members = new Map(); // the other verified members by id, as GET /api/users/verified listed them

// roleWith says which role the logged-in user can take towards member m in a request MS accepts: 'mentee'
// when m mentors and the user needs mentoring, 'mentor' when the user mentors and m needs mentoring; null when
// neither (MS would answer 400).
function roleWith(m) {
  if (me.need_mentoring && m.available_to_mentor) return 'mentee';
  if (me.available_to_mentor && m.need_mentoring) return 'mentor';
  return null;
}

// suggestRole sets the role field to one MS accepts with the chosen member, when there is one.
function suggestRole() {
  const m = members.get(Number($('request-other').value));
  const role = m ? roleWith(m) : null;
  if (role) $('request-role').value = role;
}

function showProfile(user) {
  me = user;
  $('profile-name').textContent = user.name || '';
  $('profile-username').textContent = user.username;
  $('profile-email').textContent = user.email || '';
  const roles = [];
  if (user.is_admin) roles.push('admin');
  if (user.available_to_mentor) roles.push('available to mentor');
  if (user.need_mentoring) roles.push('needs mentoring');
  $('profile-roles').textContent = roles.join(', ') || 'none';
  setState('logged-in');
}

async function loadMembers() {
  const list = $('members');
  const select = $('request-other');
  list.replaceChildren();
  select.replaceChildren();
  const verified = await api('/users/verified?per_page=50');
  members = new Map(verified.map((m) => [m.id, m]));
  for (const m of verified) {
    const li = el('li');
    li.dataset.userId = m.id;
    li.append(el('strong', '', m.name || m.username), ' ', el('span', 'muted', `@${m.username}`));
    const tags = [];
    if (m.available_to_mentor) tags.push('mentor');
    if (m.need_mentoring) tags.push('mentee');
    for (const t of tags) li.append(' ', el('span', 'tag', t));
    list.append(li);
    const opt = el('option', '', `${m.name || m.username} (@${m.username})`);
    opt.value = m.id;
    select.append(opt);
  }
  if (verified.length === 0) list.append(el('li', 'muted', 'No other members yet.'));
  $('send-request').disabled = verified.length === 0;
  // The form's defaults describe a request MS accepts: the first member one can pair with, and that role.
  const first = verified.find((m) => roleWith(m) !== null);
  if (first) select.value = String(first.id);
  suggestRole();
}

async function loadRelations() {
  const list = $('relations');
  list.replaceChildren();
  const relations = await api('/mentorship_relations');
  for (const r of relations) {
    const li = el('li');
    li.dataset.relationId = r.id;
    const state = RELATION_STATES[r.state] || `state ${r.state}`;
    const until = new Date(r.end_date * 1000).toLocaleDateString();
    li.append(
      el('strong', '', `${r.mentor.name} mentors ${r.mentee.name}`), ' ',
      el('span', `tag state-${state}`, state), ' ',
      el('span', 'muted', `until ${until}${r.sent_by_me ? ', sent by me' : ''}`),
    );
    if (r.notes) li.append(el('div', 'notes', r.notes));
    list.append(li);
  }
  if (relations.length === 0) list.append(el('li', 'muted', 'No mentorship relations yet.'));
}

// loadSessions lists the user's live sessions (each login, with a coarse device), marking this one.
async function loadSessions() {
  const list = $('sessions');
  list.replaceChildren();
  let answer;
  try {
    answer = await api('/sessions');
  } catch (err) {
    if (err.status === 401) throw err;
    list.append(el('li', 'muted', err.message)); // e.g. the database is down: the rest of the page still works
    return;
  }
  for (const s of answer.sessions) {
    const li = el('li');
    li.dataset.sessionId = s.id;
    li.append(
      el('strong', '', s.device), ' ',
      el('span', 'muted', `since ${new Date(s.login_at * 1000).toLocaleString()}`),
    );
    if (s.current) li.append(' ', el('span', 'tag', 'this device'));
    list.append(li);
  }
  if (answer.sessions.length === 0) list.append(el('li', 'muted', 'No sessions listed.'));
}

// loadLists fills members, relations and sessions; a failure shows the message but keeps the profile.
async function loadLists() {
  try {
    await Promise.all([loadMembers(), loadRelations(), loadSessions()]);
  } catch (err) {
    handleError(err);
  }
}

// handleError shows the message; a 401 means the session is gone (the BFF has cleared the cookie).
function handleError(err) {
  showError(err);
  if (err.status === 401) {
    me = null;
    setState('logged-out');
  }
}

// ---- actions ------------------------------------------------------------------------------------------------

async function onLogin(event) {
  event.preventDefault();
  showStatus('Logging in…');
  try {
    const answer = await api('/login', {
      method: 'POST',
      body: { username: $('username').value, password: $('password').value },
    });
    $('password').value = '';
    showProfile(answer.user);
    showStatus(`Welcome, ${answer.user.name || answer.user.username}.`, 'ok');
    await loadLists();
  } catch (err) {
    showError(err);
  }
}

async function onLogout() {
  try {
    await api('/logout', { method: 'POST' });
    me = null;
    setState('logged-out');
    showStatus('You are logged out.', 'ok');
  } catch (err) {
    showError(err);
  }
}

// onEndAll is "sign out everywhere": every session of the user ends (this one too), after the password is checked.
async function onEndAll(event) {
  event.preventDefault();
  try {
    await api('/sessions/end-all', { method: 'POST', body: { password: $('end-all-password').value } });
    $('end-all-password').value = '';
    me = null;
    setState('logged-out');
    showStatus('You are signed out on every device.', 'ok');
  } catch (err) {
    handleError(err);
  }
}

async function onSendRequest(event) {
  event.preventDefault();
  if (!me) return;
  const other = Number($('request-other').value);
  const iAmMentee = $('request-role').value === 'mentee';
  try {
    const answer = await api('/mentorship_relation/send_request', {
      method: 'POST',
      body: {
        mentor_id: iAmMentee ? other : me.id,
        mentee_id: iAmMentee ? me.id : other,
        end_date: Math.floor(Date.now() / 1000) + 8 * WEEK_SECONDS, // unix seconds, 8 weeks from now
        notes: $('request-notes').value,
      },
    });
    showStatus(answer.message, 'ok');
    await loadRelations();
  } catch (err) {
    handleError(err);
  }
}

// On load: ask the BFF who we are. The cookie survives reloads and BFF restarts, so a logged-in user sees the
// profile at once; 401 shows the login form.
async function start() {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  $('request-form').addEventListener('submit', onSendRequest);
  $('end-all-form').addEventListener('submit', onEndAll);
  $('request-other').addEventListener('change', suggestRole);
  try {
    showProfile(await api('/user'));
    await loadLists();
  } catch (err) {
    setState('logged-out');
    if (err.status !== 401) showError(err);
  }
}

start();
