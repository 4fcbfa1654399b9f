/** Routes live in the URL's hash (`#/region/32`), so the gateway serves one page for all. */
export function currentRoute(): string[] {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return parts.length > 0 ? parts.map(decodeURIComponent) : ['overview'];
}

export function navigate(parts: string[]): void {
  location.hash = `#/${parts.map(encodeURIComponent).join('/')}`;
}
