// The token of a staff page: the URL fragment brings it (#token=..., never a
// query string, so it never reaches a server log), this tab's sessionStorage
// keeps it (a reload or the landing page finds it), and it leaves the visible
// URL at once, so a copied address or a screenshot does not carry it.

const KEY = 'bridgecast.token';

export function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromUrl = params.get('token');
  if (fromUrl) {
    rememberToken(fromUrl);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(KEY) || '';
  } catch {
    return ''; // storage disabled: the fragment is the only source
  }
}

export function rememberToken(token) {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // storage disabled: the token lasts as long as the page
  }
}

export function forgetToken() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing stored
  }
}

// What a token says about itself: {role, conference, point}, or null if it is
// not shaped like one (docs/protocol.md, "Tokens"). Unverified: only for
// choosing what to show; the node checks the signature.
export function readClaims(token) {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || parts[0] !== 'bc1' || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4)), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (typeof payload !== 'object' || payload === null) return null;
    if (typeof payload.r !== 'string' || typeof payload.c !== 'string') return null;
    return { role: payload.r, conference: payload.c, point: typeof payload.p === 'string' ? payload.p : '' };
  } catch {
    return null;
  }
}
