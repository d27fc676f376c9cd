// Starts Swagger UI on the page served at /docs. Kept out of index.html so the page runs under a
// Content-Security-Policy without 'unsafe-inline' scripts. Nothing here reaches beyond this server.
"use strict";
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // No call to the public validator at validator.swagger.io.
    validatorUrl: null,
    // Never load another document named in the page's query string (?url=, ?configUrl=).
    queryConfigEnabled: false,
    // Requests from "Try it out" go to this server only (servers: [{url: "/"}]).
    withCredentials: false,
    displayOperationId: true,
    displayRequestDuration: true,
    tryItOutEnabled: false
  });
});
