// The API reference page: the services from /docs/openapi/index.json as links, and Swagger UI on
// the chosen one (?service=NAME, the gateway by default). "Try it out" only where this page's
// origin can reach the service (the index says so): elsewhere the CSP would refuse the call.
'use strict';

(async () => {
  const nav = document.getElementById('services');
  const note = document.getElementById('try-note');
  const response = await fetch('openapi/index.json', { credentials: 'same-origin' });
  const { services } = await response.json();
  const wanted = new URLSearchParams(location.search).get('service');
  const current = services.find((s) => s.name === wanted) || services.find((s) => s.name === 'gateway') || services[0];
  for (const s of services) {
    const a = document.createElement('a');
    a.href = `?service=${encodeURIComponent(s.name)}`;
    a.textContent = s.name;
    a.title = s.title;
    if (s === current) a.setAttribute('aria-current', 'page');
    nav.append(a);
  }
  note.textContent = current.try_it_out
    ? `"Try it out" calls ${current.server === '/' ? 'this gateway' : current.server}` +
      (current.server.startsWith('/ui/api/') ? ' through the dashboard: sign in at /ui/ first; your role applies.' : '.')
    : `"Try it out" is off: ${current.name} listens on ${current.server ?? 'its own port'}, which this page may not call (curl it there).`;
  document.title = `${current.title} — tzr-host API reference`;
  window.ui = SwaggerUIBundle({
    url: current.url,
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    supportedSubmitMethods: current.try_it_out ? ['get', 'put', 'post', 'delete', 'patch'] : [],
  });
})();
