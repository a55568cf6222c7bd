// GOV.UK Frontend's components (error summary focus, skip link, buttons), started as GOV.UK's page template does.
import { initAll } from "./govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
